/// How a watch sleeps until a store may have changed: a backend's way of
/// hearing about commits (a futex in a SQLite store's journal,
/// `LISTEN` on PostgreSQL).
///
/// One thread calls ``prepare()`` and ``wait(timeoutMilliseconds:)``, in
/// that order, around its look at what committed, so that a commit between
/// the look and the wait is not slept through; any thread may call
/// ``interrupt()``.
protocol CommitWaiter: AnyObject, Sendable {
    /// Marks the moment before looking at what committed.
    func prepare() throws
    /// The number up to which every change has committed or never will.
    /// Throws ``ChangesNotSettled`` when it cannot tell yet.
    func settledChangeNumber() throws -> Int64
    /// Returns when something may have committed since ``prepare()``, when
    /// interrupted, or when the timeout passes. Spurious returns happen.
    func wait(timeoutMilliseconds: Int32) throws
    /// Makes the current or next ``wait(timeoutMilliseconds:)`` return.
    func interrupt()
}

/// Thrown when a backend cannot tell yet up to which number changes are
/// settled (PostgreSQL writers held their lock too long): look again later.
struct ChangesNotSettled: Error {}
