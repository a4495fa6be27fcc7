// Compiled with or without the PostgreSQL trait: a build without it still
// tells a postgresql:// URL from a file's path, and says why it cannot open it.

/// A store's URL as the user gave it, taken apart: what libpq gets, what
/// messages show, and Cellar's own `schema` parameter.
package struct PostgreSQLURL {
    /// The URL for libpq, without Cellar's own parameters.
    let connectionString: String
    /// The URL without its password, for messages.
    package let redacted: String
    let schema: String

    /// Whether `location` names a PostgreSQL store rather than a file.
    package static func isURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    package init(_ url: String) throws {
        guard url.hasPrefix("postgresql://") || url.hasPrefix("postgres://") else {
            throw StoreError.cannotOpen(path: url, reason: "not a postgresql:// URL")
        }
        var base = url
        var schema = "public"
        var kept: [Substring] = []
        if let question = url.firstIndex(of: "?") {
            base = String(url[..<question])
            for parameter in url[url.index(after: question)...].split(separator: "&") {
                if parameter.hasPrefix("schema=") {
                    schema = String(parameter.dropFirst("schema=".count))
                } else {
                    kept.append(parameter)
                }
            }
        }
        guard !schema.isEmpty else {
            throw StoreError.cannotOpen(path: Self.withoutPassword(base), reason: "the schema parameter is empty")
        }
        let query = kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
        self.connectionString = base + query
        self.schema = schema
        let visible = kept.filter { !$0.hasPrefix("password=") }.map(String.init) + (schema == "public" ? [] : ["schema=" + schema])
        self.redacted = Self.withoutPassword(base) + (visible.isEmpty ? "" : "?" + visible.joined(separator: "&"))
    }

    /// `postgresql://user:secret@host/db` → `postgresql://user@host/db`.
    private static func withoutPassword(_ url: String) -> String {
        guard let scheme = url.firstRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + String(url[at...])
    }
}
