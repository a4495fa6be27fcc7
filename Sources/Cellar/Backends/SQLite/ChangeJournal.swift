internal import CSharedMemory
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif
#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// The memory that the processes using one SQLite store share, beside its
/// file (`STORE-changes`, like SQLite's own `-shm`): the store-wide change
/// counter, the number of the last change committed, a ring of which
/// instance each recent change touched, and a word that watchers wait on.
///
/// Why not in the database: any counter or log there makes each commit
/// write a second page, measured 40% slower per update. Here, numbering a
/// change is a few memory writes, and a watcher in another process wakes
/// within microseconds of a commit (a futex on Linux).
///
/// What makes it safe to lose: the journal is a cache of the database. The
/// `change_numbers` row holds a number that no committed change exceeds,
/// raised a block at a time in the transaction that first needs it (one
/// write in ``reservationBlock`` commits); a journal that is missing, left by
/// another boot (whose memory may not have reached the disk) or by another
/// store at the same path starts again above it. A watcher that finds a
/// change missing from the ring reads the store instead.
///
/// Every field but `committed` and the wake word is changed only by the
/// holder of the store's write lock; watchers only read.
final class ChangeJournal {
    /// How many recent changes the ring names: a watcher further behind
    /// reads the instances of its scope instead.
    static let capacity = 4_096
    /// How many change numbers one write of `change_numbers` reserves.
    static let reservationBlock: Int64 = 1_024

    /// How often a watcher of a read-only journal looks.
    private static let readOnlyPollMilliseconds: Int32 = 5
    private static let magic: Int64 = 0x3143_4847_5243_4C45  // "ELCRGHC1"
    private static let headerSize = 128
    private static let size = headerSize + capacity * 16

    private let base: UnsafeMutableRawPointer
    /// False when mapped read-only (a store opened read-only): its watchers
    /// cannot announce that they wait, so they look every few milliseconds.
    private let isWritable: Bool
    /// Which store and which boot the journal must belong to (`change_numbers.store_id`).
    private let expectedIdentity: [UInt8]
    /// A hash of `expectedIdentity` (FNV-1a), kept beside it in the header.
    private let identityHash: Int64

    /// The numbers this connection's open transaction took, and the
    /// reservation it made, published or forgotten when it ends.
    private var lastNumberOfTransaction: Int64 = 0
    private var reservationOfTransaction: Int64?

    /// Maps the journal of the store file at `storePath`, creating it if
    /// needed with the file's permissions; nil in memory (an exclusive or
    /// in-memory store, which only this process uses).
    init(storePath: String?, storeID: String, writable: Bool) throws {
        self.expectedIdentity = Self.identity(ofStore: storeID)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in expectedIdentity { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        self.identityHash = Int64(bitPattern: hash)
        guard let storePath else {
            guard let memory = mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                  memory != MAP_FAILED else { throw StoreError.cannotOpen(path: ":memory:", reason: String(cString: strerror(errno))) }
            base = memory
            isWritable = true
            return
        }
        let path = storePath + "-changes"
        var mode: mode_t = 0o644
        var status = stat()
        if stat(storePath, &status) == 0 { mode = status.st_mode & 0o666 }
        let descriptor = writable ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode) : open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        if writable {
            if fstat(descriptor, &status) == 0, status.st_mode & 0o666 != mode { fchmod(descriptor, mode) }
            // Blocks allocated now, not sparse: a write into a mapped hole
            // on a full disk would kill the process (SIGBUS).
            if fstat(descriptor, &status) == 0, Int(status.st_size) < Self.size {
                let zeros = [UInt8](repeating: 0, count: Self.size)
                guard pwrite(descriptor, zeros, zeros.count, 0) == zeros.count else {
                    if errno == ENOSPC { throw StoreError.diskFull(path: storePath) }
                    throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
                }
            }
        } else if fstat(descriptor, &status) != 0 || Int(status.st_size) < Self.size {
            throw StoreError.cannotOpen(path: path, reason: "too short")
        }
        let protection = writable ? PROT_READ | PROT_WRITE : PROT_READ
        guard let memory = mmap(nil, Self.size, protection, MAP_SHARED, descriptor, 0), memory != MAP_FAILED else {
            throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        base = memory
        isWritable = writable
    }

    deinit {
        munmap(base, Self.size)
    }

    // MARK: Fields

    private func word(at offset: Int) -> UnsafeMutablePointer<Int64> {
        (base + offset).assumingMemoryBound(to: Int64.self)
    }

    private var lastAllocated: UnsafeMutablePointer<Int64> { word(at: 64) }
    private var reservedLimit: UnsafeMutablePointer<Int64> { word(at: 72) }
    private var committedWord: UnsafeMutablePointer<Int64> { word(at: 80) }
    /// Raised at every publication; watchers wait for it to move.
    var wakeWord: UnsafeMutablePointer<UInt32> { (base + 88).assumingMemoryBound(to: UInt32.self) }
    /// How many threads wait on the wake word: a writer makes the wake-up
    /// system call only when some do.
    private var waiterCount: UnsafeMutablePointer<UInt32> { (base + 92).assumingMemoryBound(to: UInt32.self) }
    private var identity: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(start: base + 16, count: 48) }

    /// The bytes that say which store and which boot wrote the journal.
    private static func identity(ofStore storeID: String) -> [UInt8] {
        let bytes = Array((bootID + "/" + storeID).utf8.prefix(48))
        return bytes + Array(repeating: 0, count: 48 - bytes.count)
    }

    /// Whether a writer made the journal this store's in this boot: until
    /// then its numbers mean nothing.
    var isAdopted: Bool {
        // Two loads: every change number asks.
        cellar_load64(word(at: 0)) == Self.magic && cellar_load64(word(at: 8)) == identityHash
    }

    /// The number of the last change committed (every lower number has
    /// committed or never will), as far as this journal knows.
    var committed: Int64 { cellar_load64(committedWord) }

    // MARK: Writers (holding the store's write lock)

    /// Makes the journal this store's and this boot's, starting numbering
    /// over above `reserved` if it is not: called in every write
    /// transaction before its first number.
    func adopt(reserved: () throws -> Int64) rethrows {
        guard !isAdopted else { return }
        let start = try reserved()
        // The ring's numbers are another boot's or another store's.
        memset(base + Self.headerSize, 0, Self.size - Self.headerSize)
        cellar_store64(lastAllocated, start)
        cellar_store64(reservedLimit, start)
        cellar_raise64(committedWord, start)
        for (offset, byte) in expectedIdentity.enumerated() { identity[offset] = byte }
        cellar_store64(word(at: 8), identityHash)
        cellar_store64(word(at: 0), Self.magic)
    }

    /// The next change number, recorded as touching instance `rowID`; nil
    /// when the reservation is used up (see ``reserve(above:)``).
    func nextNumber(touching rowID: Int64) -> Int64? {
        let number = lastAllocated.pointee + 1
        guard number <= (reservationOfTransaction ?? reservedLimit.pointee) else { return nil }
        record(number, touching: rowID)
        return number
    }

    /// The number below which `change_numbers.reserved` must start the
    /// next block: every number handed out so far.
    var lastNumber: Int64 { lastAllocated.pointee }

    /// After this transaction raised `change_numbers.reserved` to `limit`
    /// from `start`: the next change number, recorded as touching `rowID`.
    func nextNumber(afterReserving start: Int64, upTo limit: Int64, touching rowID: Int64) -> Int64 {
        reservationOfTransaction = limit
        cellar_store64(lastAllocated, start)
        let number = start + 1
        record(number, touching: rowID)
        return number
    }

    private func record(_ number: Int64, touching rowID: Int64) {
        cellar_store64(lastAllocated, number)
        let slot = ringSlot(of: number)
        // A reader checks the number before and after the instance: 0
        // first, so that it never takes the old number with the new instance.
        cellar_store64(slot, 0)
        cellar_store64(slot + 1, rowID)
        cellar_store64(slot, number)
        lastNumberOfTransaction = number
    }

    /// After a commit: its changes are visible, and watchers are woken.
    func publishCommit() {
        if let reservation = reservationOfTransaction {
            cellar_store64(reservedLimit, reservation)
            reservationOfTransaction = nil
        }
        guard lastNumberOfTransaction != 0 else { return }
        cellar_raise64(committedWord, lastNumberOfTransaction)
        lastNumberOfTransaction = 0
        wakeWatchers()
    }

    /// The reservation this transaction has made so far: a savepoint keeps
    /// it, to restore if it rolls back (see ``rollBack(toReservation:)``).
    var reservationSoFar: Int64? { reservationOfTransaction }

    /// After a rollback to a savepoint taken when the transaction's
    /// reservation was `reservation`: a block reserved since was undone
    /// with the savepoint, so it must not be published. (The numbers taken
    /// meanwhile are simply never used.)
    func rollBack(toReservation reservation: Int64?) {
        reservationOfTransaction = reservation
    }

    /// After a rollback: its numbers are never used; the reservation it
    /// made was undone with it.
    func forgetTransaction() {
        reservationOfTransaction = nil
        lastNumberOfTransaction = 0
    }

    // MARK: Watchers

    /// Wakes every thread waiting in ``wait(whileWakeCountIs:timeoutMilliseconds:)``.
    func wakeWatchers() {
        guard isWritable else { return }
        _ = cellar_add32(wakeWord, 1)
        if cellar_load32(waiterCount) > 0 { cellar_wake_all(wakeWord) }
    }

    /// The value to pass to ``wait(whileWakeCountIs:timeoutMilliseconds:)``,
    /// taken before looking at ``committed``.
    var wakeCount: UInt32 { cellar_load32(wakeWord) }

    /// Sleeps until a commit is published after `count` was read, or the timeout passes.
    func wait(whileWakeCountIs count: UInt32, timeoutMilliseconds: Int32) {
        guard isWritable else {
            if wakeCount == count { usleep(useconds_t(min(timeoutMilliseconds, Self.readOnlyPollMilliseconds)) * 1_000) }
            return
        }
        _ = cellar_add32(waiterCount, 1)
        defer { _ = cellar_add32(waiterCount, -1) }
        cellar_wait32(wakeWord, count, timeoutMilliseconds)
    }

    /// The instances that changes `after` + 1 through `through` touched;
    /// nil when the ring no longer holds all of them, or never held them
    /// (the journal started over).
    func instancesTouched(after: Int64, through: Int64) -> Set<Int64>? {
        guard through > after else { return [] }
        guard through - after <= Int64(Self.capacity), isAdopted else { return nil }
        var touched = Set<Int64>()
        for number in (after + 1)...through {
            let slot = ringSlot(of: number)
            let recorded = cellar_load64(slot)
            let rowID = cellar_load64(slot + 1)
            guard cellar_load64(slot) == recorded else { return nil }  // a writer reused the slot meanwhile
            if recorded == number {
                touched.insert(rowID)
            } else if recorded > number || recorded == 0 {
                return nil
            }
            // A lower number: a writer took this one and died before
            // recording it, so it never committed.
        }
        return touched
    }

    private func ringSlot(of number: Int64) -> UnsafeMutablePointer<Int64> {
        word(at: Self.headerSize + Int(number % Int64(Self.capacity)) * 16)
    }

    // MARK: The boot

    /// Identifies the running boot of the machine: memory written in
    /// another boot may never have reached the disk.
    static let bootID: String = {
        #if os(Linux)
        if let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) {
            return String(text.filter { !$0.isWhitespace })
        }
        #elseif canImport(Darwin)
        var time = timeval()
        var size = MemoryLayout<timeval>.size
        if sysctlbyname("kern.boottime", &time, &size, nil, 0) == 0 {
            return "\(time.tv_sec).\(time.tv_usec)"
        }
        #endif
        return "unknown"
    }()
}
