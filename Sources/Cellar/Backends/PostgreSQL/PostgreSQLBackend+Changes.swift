#if PostgreSQL
internal import CLibPQ
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Change numbers and watches: numbers come from the `change_numbers`
/// sequence; writers `NOTIFY` at commit, on a channel of the store's
/// schema, and watchers `LISTEN`.
extension PostgreSQLBackend {
    /// The channel the commits of a store in `schema` are announced on: one
    /// per schema, named by a hash, since a schema's name may be longer
    /// than a channel's.
    static func changeChannel(schema: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in schema.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "cellar_changes_" + String(hash, radix: 16)
    }

    /// Reads the sequence's last number, then waits until every transaction
    /// holding the shared change lock has ended: each took the lock before
    /// its first number, so every number up to the one read has then
    /// committed or never will. The wait gives up after
    /// ``settleTimeoutMilliseconds`` (writers that start meanwhile queue
    /// behind it), and then nothing new is settled: nil.
    func settledChangeNumber() throws -> Int64 {
        try connection.reconnectIfLost()
        let last = try connection.query("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM change_numbers").integer(0, 0)
        do {
            try connection.enqueue("BEGIN")
            try connection.enqueue("SET LOCAL lock_timeout = \(Self.settleTimeoutMilliseconds)")
            try connection.enqueue(Queries.lockChangesExclusive, [.text(schema)])
            try connection.query("COMMIT")
        } catch {
            connection.discardQueue()
            if connection.isConnected, connection.isInTransaction { try? connection.execute("ROLLBACK") }
            guard error.sqlState == "55P03" else { throw error }
            throw ChangesNotSettled()
        }
        return last
    }

    /// How long a watcher waits for writers to finish before trying again later.
    static let settleTimeoutMilliseconds = 100

    func changes(in scope: ChangeScope, after: Int64, through: Int64) throws -> [ChangeRecord] {
        guard through > after else { return [] }
        let filter: [PGParameter] = [
            .integer(after), .integer(through), scope.factory.map { .text($0) } ?? .null,
            scope.instance.map { .text($0.key) } ?? .null, scope.cell.map { .text($0) } ?? .null,
        ]
        let versions = try connection.query("""
            SELECT \(Columns.version), v.change, i.factory, i.key FROM cell_versions v JOIN instances i ON i.id = v.instance_id
            WHERE v.change > $1 AND v.change <= $2 AND ($3::text IS NULL OR i.factory = $3) AND ($4::text IS NULL OR i.key = $4)
              AND ($5::text IS NULL OR v.name = $5)
            ORDER BY v.change
            """, filter)
        var records = (0..<versions.count).map { row in
            let version = Self.version(versions, row)
            return ChangeRecord(number: versions.integer(row, 14), instance: InstanceID(factory: versions.text(row, 15), key: versions.text(row, 16)),
                                version: version, at: version.at)
        }
        let deletions = try connection.query("""
            SELECT change, factory, key, at FROM instance_deletions
            WHERE change > $1 AND change <= $2 AND ($3::text IS NULL OR factory = $3) AND ($4::text IS NULL OR key = $4)
            """, Array(filter.prefix(4)))
        guard deletions.count > 0 else { return records }
        records += (0..<deletions.count).map { row in
            ChangeRecord(number: deletions.integer(row, 0), instance: InstanceID(factory: deletions.text(row, 1), key: deletions.text(row, 2)),
                         version: nil, at: deletions.integer(row, 3))
        }
        return records.sorted { $0.number < $1.number }
    }

    func openWatchConnection() throws -> (any StorageBackend)? {
        try reopen()
    }

    func makeCommitWaiter(reader: Engine) throws -> any CommitWaiter {
        try ChangeListener(backend: try reopen(), channel: changeChannel)
    }
}

/// A connection that `LISTEN`s on a store's channel, and a pipe that
/// interrupts its wait.
///
/// `@unchecked Sendable`: the connection is used only by the thread that
/// prepares and waits; ``interrupt()`` only writes to the pipe.
private final class ChangeListener: CommitWaiter, @unchecked Sendable {
    private let backend: PostgreSQLBackend
    private let channel: String
    private var isListening = false
    private let pipeRead: Int32
    private let pipeWrite: Int32

    init(backend: PostgreSQLBackend, channel: String) throws {
        self.backend = backend
        self.channel = channel
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw StoreError.cannotOpen(path: backend.location, reason: String(cString: strerror(errno))) }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        pipeRead = ends[0]
        pipeWrite = ends[1]
    }

    deinit {
        close(pipeRead)
        close(pipeWrite)
    }

    private var connection: PGConnection { backend.connection }

    /// Listens (again, after a lost connection) and forgets the
    /// notifications so far: the look that follows sees their commits.
    func prepare() throws {
        if !isListening || !connection.isConnected {
            try connection.reconnectIfLost()
            try connection.execute("LISTEN \(PostgreSQLBackend.quotedIdentifier(channel))")
            isListening = true
        }
        _ = drainNotifications()
    }

    func wait(timeoutMilliseconds: Int32) throws {
        guard !drainNotifications() else { return }
        var descriptors = [
            pollfd(fd: PQsocket(connection.handle), events: Int16(POLLIN), revents: 0),
            pollfd(fd: pipeRead, events: Int16(POLLIN), revents: 0),
        ]
        _ = poll(&descriptors, 2, timeoutMilliseconds)
        if descriptors[1].revents != 0 {
            var bytes = [UInt8](repeating: 0, count: 64)
            while read(pipeRead, &bytes, bytes.count) > 0 {}
        }
        if descriptors[0].revents != 0 {
            if PQconsumeInput(connection.handle) == 0 || !connection.isConnected {
                isListening = false  // lost: the next prepare connects and listens again
            }
        }
        _ = drainNotifications()
    }

    /// Settled on the listening connection: its lock wait holds up no read.
    func settledChangeNumber() throws -> Int64 {
        try backend.settledChangeNumber()
    }

    func interrupt() {
        var byte: UInt8 = 1
        _ = write(pipeWrite, &byte, 1)
    }

    /// Whether any notification had arrived; frees them.
    private func drainNotifications() -> Bool {
        guard isListening else { return true }
        PQconsumeInput(connection.handle)
        var any = false
        while let notification = PQnotifies(connection.handle) {
            PQfreemem(notification)
            any = true
        }
        return any
    }
}
#endif
