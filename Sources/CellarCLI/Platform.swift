#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system calls the tools make by name, in the one place that knows
/// which C library provides them (Glibc on Linux, Darwin on macOS).
package enum Platform {
    /// `write(2)`: how many bytes went out, or -1 with `errno` set.
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// Creates the file at `path` with `mode` if there is none, and closes
    /// it; false if it could not (it exists, or the folder is missing).
    static func createFile(at path: String, mode: mode_t) -> Bool {
        #if canImport(Glibc)
        let descriptor = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        #else
        let descriptor = Darwin.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        #endif
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    /// Ends the process with `status`.
    package static func exit(_ status: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}
