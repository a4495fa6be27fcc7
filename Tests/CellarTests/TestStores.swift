@testable import Cellar
import Foundation
import Testing

/// The backends a behaviour test runs against: `@Test(arguments: Backend.all)`.
enum Backend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgresql

    /// Every backend this build has: PostgreSQL only with its trait on.
    static var all: [Backend] {
        #if PostgreSQL
        allCases
        #else
        [.sqlite]
        #endif
    }

    var testDescription: String { rawValue }

    /// A fresh, empty store location of this backend: a file in a new
    /// temporary folder, or a schema of its own on the test server. Nil
    /// (with the reason recorded when PostgreSQL is required) when the
    /// backend cannot run here.
    func newLocation(sourceLocation: SourceLocation = #_sourceLocation) throws -> StoreLocationForTest? {
        switch self {
        case .sqlite:
            let directory = try TemporaryDirectory()
            return StoreLocationForTest(backend: self, value: directory.path("store.sqlite"), directory: directory)
        case .postgresql:
            guard let server = TestPostgres.url(sourceLocation: sourceLocation) else { return nil }
            let schema = "test_" + UUID().uuidString.prefix(12).lowercased()
            let separator = server.contains("?") ? "&" : "?"
            return StoreLocationForTest(backend: self, value: server + separator + "schema=" + schema, directory: try TemporaryDirectory())
        }
    }
}

/// Where a test's store is: a path or a URL, opened the same way.
struct StoreLocationForTest {
    let backend: Backend
    /// The path or URL, as `CELLAR_STORE` or `Store.open` takes it.
    let value: String
    /// A temporary folder of the test's own, for anything else it writes.
    let directory: TemporaryDirectory

    func open(_ options: Store.Options = Store.Options()) throws -> Store {
        try Store.open(value, options: options)
    }
}
