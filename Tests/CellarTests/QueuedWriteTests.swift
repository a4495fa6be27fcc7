@testable import Cellar
import Foundation
import Testing

/// How a writer queued behind a group's leader learns its outcome: while
/// it still yields its core, or once it has gone to sleep, and the leader
/// wakes it only then.
@Suite struct QueuedWriteTests {
    private struct Refused: Error {}

    /// Told while it yields, the writer returns at once, not at the end of
    /// its 5 s of yielding.
    @Test func aWriterToldWhileItYieldsTakesTheOutcome() throws {
        let write = QueuedWrite(operation: nil, needsSavepoint: false, yieldNanoseconds: 5_000_000_000) { _ in }
        let started = monotonicNanoseconds()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.01) { write.finish(nil) }
        let outcome = try #require(waitedOutcome(of: write))
        #expect(monotonicNanoseconds() - started < 2_000_000_000)
        guard case .done(nil) = outcome else { Issue.record("expected .done(nil), got \(outcome)"); return }
    }

    @Test func aWriterThatWentToSleepIsWoken() throws {
        let write = QueuedWrite(operation: nil, needsSavepoint: false, yieldNanoseconds: 1_000) { _ in }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { write.lead() }
        let outcome = try #require(waitedOutcome(of: write))
        guard case .lead = outcome else { Issue.record("expected .lead, got \(outcome)"); return }
    }

    @Test func aWriterThatSleepsAtOnceIsWoken() throws {
        let write = QueuedWrite(operation: nil, needsSavepoint: false, yieldNanoseconds: 0) { _ in }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.01) { write.finish(Refused()) }
        let outcome = try #require(waitedOutcome(of: write))
        guard case .done(let failure?) = outcome, failure is Refused else { Issue.record("expected Refused, got \(outcome)"); return }
    }

    /// Leaders that tell at every moment around the end of the writer's
    /// yielding: each writer gets its own outcome, whichever side came
    /// second, and none is left asleep.
    @Test func everyWriterGetsItsOutcomeWhicheverSideComesSecond() throws {
        for round in 0..<2_000 {
            let write = QueuedWrite(operation: nil, needsSavepoint: false, yieldNanoseconds: Int64(round % 40) * 500) { _ in }
            let delay = (round * 7) % 300
            DispatchQueue.global().async {
                for _ in 0..<delay { _ = monotonicNanoseconds() }
                if round % 2 == 0 { write.lead() } else { write.finish(nil) }
            }
            let outcome = try #require(waitedOutcome(of: write), "round \(round)")
            switch outcome {
            case .lead: #expect(round % 2 == 0, "round \(round)")
            case .done(nil): #expect(round % 2 == 1, "round \(round)")
            case .done(let failure?): Issue.record("round \(round): unexpected \(failure)")
            }
        }
    }

    /// Writers yield while groups are short, and sleep at once after a
    /// group that took longer (a slow disk's fsync), until groups are
    /// short again.
    @Test func writersYieldOnlyWhileGroupsAreShort() {
        let queue = WriteQueue()
        #expect(queue.yieldNanoseconds == WriteQueue.longestYieldNanoseconds)
        queue.groupTook(nanoseconds: WriteQueue.longestYieldedGroupNanoseconds + 1)
        #expect(queue.yieldNanoseconds == 0)
        queue.groupTook(nanoseconds: 40_000)
        #expect(queue.yieldNanoseconds == WriteQueue.longestYieldNanoseconds)
    }

    /// `write.wait()` on a thread of its own; nil if it did not return
    /// within 10 s (a writer left asleep).
    private func waitedOutcome(of write: QueuedWrite) -> QueuedWrite.Outcome? {
        final class Box: @unchecked Sendable { var outcome: QueuedWrite.Outcome? }
        let box = Box(), returned = DispatchSemaphore(value: 0)
        Thread {
            box.outcome = write.wait()
            returned.signal()
        }.start()
        guard returned.wait(timeout: .now() + 10) == .success else { return nil }
        return box.outcome
    }
}
