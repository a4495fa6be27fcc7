@testable import Cellar
import Foundation
import Synchronization
import Testing

/// How the end of an async call's work gets back from a worker thread:
/// seen by a task that still looks for it, or handed to one that has
/// suspended, and a cancelled call that never started.
@Suite struct PendingCallTests {
    @Test func anEndWithinThePollIsSeenThere() throws {
        let value = Atomic(0)
        let call = PendingCall { value.store(42, ordering: .relaxed) }
        let worker = Thread { call.run() }
        worker.start()
        #expect(try call.poll(forNanoseconds: 5_000_000_000))
        let stored = value.load(ordering: .relaxed)
        #expect(stored == 42)
    }

    @Test func aSuspendedTaskIsResumedAtTheEnd() async throws {
        let release = DispatchSemaphore(value: 0)
        let value = Atomic(0)
        let call = PendingCall {
            release.wait()
            value.store(7, ordering: .relaxed)
        }
        DispatchQueue.global().async { call.run() }
        #expect(try !call.poll(forNanoseconds: 1_000_000))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { release.signal() }
        try await call.suspend()
        let stored = value.load(ordering: .relaxed)
        #expect(stored == 7)
    }

    /// Workers that finish at every moment around the task's suspension:
    /// each end arrives exactly once, whichever side came second.
    @Test func everyEndArrivesOnceWhicheverSideComesSecond() async throws {
        let ends = Atomic(0)
        for round in 0..<2_000 {
            let spinCount = round % 200
            let call = PendingCall {
                for _ in 0..<spinCount { _ = monotonicNanoseconds() }
                ends.add(1, ordering: .relaxed)
            }
            DispatchQueue.global().async { call.run() }
            if round % 2 == 0, try call.poll(forNanoseconds: 2_000) {
                // Seen while polling.
            } else {
                try await call.suspend()
            }
            let endsSoFar = ends.load(ordering: .relaxed)
            #expect(endsSoFar == round + 1)
        }
    }

    @Test func aCallCancelledBeforeItStartsNeverRuns() async throws {
        let ran = Atomic(false)
        let call = PendingCall { ran.store(true, ordering: .relaxed) }
        call.cancel()
        call.run()
        await #expect(throws: CancellationError.self) { try await call.suspend() }
        let workRan = ran.load(ordering: .relaxed)
        #expect(!workRan)
    }

    @Test func aCallThatStartedRunsToItsEndWhenCancelled() async throws {
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let ended = Atomic(false)
        let call = PendingCall {
            started.signal()
            release.wait()
            ended.store(true, ordering: .relaxed)
        }
        DispatchQueue.global().async { call.run() }
        started.wait()
        call.cancel()
        release.signal()
        try await call.suspend()
        let workEnded = ended.load(ordering: .relaxed)
        #expect(workEnded)
    }

    @Test func anErrorOfTheWorkReachesTheTask() async throws {
        struct Refused: Error {}
        let first = PendingCall { throw Refused() }
        DispatchQueue.global().async { first.run() }
        await #expect(throws: Refused.self) { try await first.suspend() }
        let second = PendingCall { throw Refused() }
        DispatchQueue.global().async { second.run() }
        #expect(throws: Refused.self) { _ = try second.poll(forNanoseconds: 5_000_000_000) }
    }
}
