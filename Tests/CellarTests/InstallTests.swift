import Foundation
import Testing

/// The README's install commands, run for real into a temporary prefix:
/// with the PostgreSQL trait (the default: the Swift runtime linked in,
/// libpq shared) and without it (fully static). Each builds both tools in
/// release, so it takes minutes: it runs in CI (`CI` set) or with
/// `CELLAR_TEST_INSTALL=1`.
@Suite struct InstallTests {
    static let enabled = ProcessInfo.processInfo.environment["CI"] != nil
        || ProcessInfo.processInfo.environment["CELLAR_TEST_INSTALL"] == "1"

    @Test(.enabled(if: enabled, "the install test builds the tools in release; it runs in CI or with CELLAR_TEST_INSTALL=1"),
          .timeLimit(.minutes(15)), arguments: [true, false])
    func installPutsToolsAndCompletionsInAPrefixAndUninstallRemovesThem(withPostgreSQL: Bool) throws {
        let prefix = try TemporaryDirectory()
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        // A build folder of its own: `swift test` holds the default one.
        let swiftPackage = { (arguments: [String]) throws -> ChildResult in
            try RunningChild(executable: "/usr/bin/env", arguments: [
                "swift", "package", "--package-path", package.path,
                "--scratch-path", package.appending(path: withPostgreSQL ? ".build-install-test" : ".build-install-test-static").path,
            ] + (withPostgreSQL ? [] : ["--disable-default-traits"]) + [
                "--allow-writing-to-directory", prefix.url.path, "install-tools", "--prefix", prefix.url.path,
            ] + arguments).finish()
        }
        let install = try swiftPackage([])
        #expect(install.status == 0, "\(install.stdout)\(install.stderr)")
        #expect(install.stdout.contains("Installed acct and cellar in \(prefix.path("bin"))"))

        for tool in ["acct", "cellar"] {
            let binary = prefix.path("bin/\(tool)")
            #expect(FileManager.default.isExecutableFile(atPath: binary))
            let ldd = try RunningChild(executable: "/usr/bin/env", arguments: ["ldd", binary]).finish()
            if withPostgreSQL {
                // libpq shared, the Swift runtime linked in.
                #expect(ldd.stdout.contains("libpq.so") && !ldd.stdout.contains("libswiftCore"), "\(ldd.stdout)")
            } else {
                // Static: no program interpreter (dynamic loader) in the ELF file.
                #expect(ldd.stdout.contains("not a dynamic executable") || ldd.stderr.contains("not a dynamic executable"))
            }
            let bash = try String(contentsOfFile: prefix.path("share/bash-completion/completions/\(tool)"), encoding: .utf8)
            #expect(bash.contains("complete") && bash.contains(tool))
            let zsh = try String(contentsOfFile: prefix.path("share/zsh/site-functions/_\(tool)"), encoding: .utf8)
            #expect(zsh.hasPrefix("#compdef \(tool)"))
            let fish = try String(contentsOfFile: prefix.path("share/fish/vendor_completions.d/\(tool).fish"), encoding: .utf8)
            #expect(fish.contains("complete -c '\(tool)'"))
        }
        // The installed acct works on its own.
        let store = prefix.path("store.sqlite")
        let deposit = try RunningChild(executable: prefix.path("bin/acct"), arguments: ["deposit", "main", "5", "--store", store]).finish()
        #expect(deposit.status == 0 && deposit.stdout == "main: 5.00\n", "\(deposit.stderr)")
        let inspect = try RunningChild(executable: prefix.path("bin/cellar"), arguments: ["inspect", "account/main", "--store", store]).finish()
        #expect(inspect.lines.last == "  balance: Int64 = 500")
        let url = try Backend.postgresql.newLocation()?.value
        if withPostgreSQL, let url {
            let deposit = try RunningChild(executable: prefix.path("bin/acct"), arguments: ["deposit", "main", "7", "--store", url]).finish()
            #expect(deposit.status == 0 && deposit.stdout == "main: 7.00\n", "\(deposit.stderr)")
        } else if !withPostgreSQL {
            let refused = try RunningChild(executable: prefix.path("bin/acct"), arguments: ["deposit", "main", "7", "--store", "postgresql://nobody@localhost/none"]).finish()
            #expect(refused.status == 74 && refused.stderr.contains("no PostgreSQL support"), "\(refused.stderr)")
        }

        let uninstall = try swiftPackage(["--uninstall"])
        #expect(uninstall.status == 0, "\(uninstall.stderr)")
        let left = FileManager.default.enumerator(atPath: prefix.url.path)?.compactMap { $0 as? String }
            .filter { !$0.hasPrefix("store.sqlite") && !FileManager.default.fileExists(atPath: prefix.path($0) + "/.") } ?? []
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
