package import Cellar
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `cellar watch` and `acct watch` follow a store: until interrupted
/// (Ctrl-C: exit status 130; SIGTERM: 143), or until whoever
/// reads their output stops reading (`cellar watch | head -3` returns
/// after three lines, even when no fourth change ever comes).
package enum WatchLoop {
    /// Calls `handle` for each change of `changes`, in order; returns only
    /// by throwing the error that ended the watch. Exits with status 0 when
    /// standard output is a pipe whose reader has gone.
    package static func follow(_ changes: Changes, _ handle: @escaping @Sendable (Change) throws -> Void) throws -> Never {
        // A write to a closed pipe then fails instead of killing the process
        // (Output stops writing), and the watcher below ends it with 0.
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C and `kill` end a watch at once, with the shell's statuses
        // (130, 143), even when the tool was started with them ignored or blocked. Each
        // line is written whole, so none is left half printed.
        signal(SIGINT) { _ in _exit(130) }
        signal(SIGTERM) { _ in _exit(143) }
        // A parent may have blocked them, and children inherit the mask.
        var interrupts = sigset_t()
        sigemptyset(&interrupts)
        sigaddset(&interrupts, SIGINT)
        sigaddset(&interrupts, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &interrupts, nil)
        exitWhenOutputCloses()
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task {
            do {
                for try await change in changes { try handle(change) }
            } catch {
                outcome.error = error
            }
            finished.signal()
        }
        finished.wait()
        // A watch only ends by an error: cancellation never reaches it here.
        throw outcome.error ?? CancellationError()
    }

    /// `@unchecked Sendable`: written by the task before it signals, read after the wait.
    private final class Outcome: @unchecked Sendable {
        var error: (any Error)?
    }

    /// A thread that waits for standard output to report an error or a
    /// hang-up (the reading end of its pipe closed) and then exits with 0.
    /// On a terminal or a file it waits forever, at no cost.
    private static func exitWhenOutputCloses() {
        let thread = DispatchQueue(label: "cellar.watch.output")
        thread.async {
            var descriptor = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
            while true {
                if poll(&descriptor, 1, -1) > 0, descriptor.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                    Platform.exit(0)
                }
            }
        }
    }
}
