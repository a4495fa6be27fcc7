@testable import Cellar
import Foundation
import Synchronization
import Testing

/// How an async call's outcome gets back from a worker thread: taken by a
/// task that still looks for it, or handed to one that has suspended, and
/// a cancelled call that never started.
@Suite struct PendingCallTests {
    @Test func anOutcomeReadyWithinThePollIsTakenThere() throws {
        let call = PendingCall<Int>()
        let worker = Thread { call.run { 42 } }
        worker.start()
        let outcome = try #require(call.poll(forNanoseconds: 5_000_000_000))
        #expect(try outcome.get() == 42)
    }

    @Test func aSuspendedTaskIsResumedWithTheOutcome() async throws {
        let call = PendingCall<Int>()
        let release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { call.run { release.wait(); return 7 } }
        #expect(call.poll(forNanoseconds: 1_000_000) == nil)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { release.signal() }
        #expect(try await call.suspend() == 7)
    }

    /// Workers that finish at every moment around the task's suspension:
    /// each outcome arrives exactly once, whichever side came second.
    @Test func everyOutcomeArrivesOnceWhicheverSideComesSecond() async throws {
        for round in 0..<2_000 {
            let call = PendingCall<Int>()
            let spinCount = round % 200
            DispatchQueue.global().async {
                call.run {
                    for _ in 0..<spinCount { _ = monotonicNanoseconds() }
                    return round
                }
            }
            let value = try await {
                if round % 2 == 0, let outcome = call.poll(forNanoseconds: 2_000) { return try outcome.get() }
                return try await call.suspend()
            }()
            #expect(value == round)
        }
    }

    @Test func aCallCancelledBeforeItStartsNeverRuns() async throws {
        let call = PendingCall<Int>()
        let ran = Atomic(false)
        call.cancel()
        call.run {
            ran.store(true, ordering: .relaxed)
            return 1
        }
        await #expect(throws: CancellationError.self) { try await call.suspend() }
        let workRan = ran.load(ordering: .relaxed)
        #expect(!workRan)
    }

    @Test func aCallThatStartedRunsToItsEndWhenCancelled() async throws {
        let call = PendingCall<Int>()
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            call.run {
                started.signal()
                release.wait()
                return 5
            }
        }
        started.wait()
        call.cancel()
        release.signal()
        #expect(try await call.suspend() == 5)
    }

    @Test func anErrorOfTheWorkReachesTheTask() async throws {
        struct Refused: Error {}
        let call = PendingCall<Int>()
        DispatchQueue.global().async { call.run { throw Refused() } }
        await #expect(throws: Refused.self) { try await call.suspend() }
    }
}
