#if PostgreSQL
/// Stores in PostgreSQL, with the package's `PostgreSQL` trait (on by default).
extension Store {
    /// Opens the store in the PostgreSQL database at `url`, creating its
    /// schema (and applying its migrations) if needed: any number of
    /// processes on any number of hosts can share it.
    ///
    /// For example:
    ///
    /// ```
    /// let store = try Store(url: "postgresql://app@db.internal/app?schema=bank")
    /// ```
    ///
    /// The password comes the ways libpq takes it (`PGPASSWORD`, `~/.pgpass`,
    /// the URL) and never appears in a message. `?schema=NAME` keeps the
    /// store in a PostgreSQL schema of its own (default: `public`).
    ///
    /// - Parameters:
    ///   - url: A `postgresql://` URL, as libpq reads it.
    ///   - options: Durability (`synchronous_commit` on for `.full`, off for
    ///     `.normal`), the busy timeout (`lock_timeout`), access and how
    ///     many connections concurrent calls may open; sharing is SQLite's alone.
    /// - Throws: ``StoreError``.
    public convenience init(url: String, options: Options = Options()) throws {
        let connect: @Sendable () throws -> any StorageBackend = {
            try PostgreSQLBackend(url: url, durability: options.durability, access: options.access,
                                  busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        }
        self.init(backend: try connect(), options: options, openConnection: connect)
    }

    /// The schema migrations applied to the PostgreSQL store at `url` and
    /// those this build would still apply, read without changing anything.
    ///
    /// - Throws: ``StoreError`` if there is no store there, or it is not a
    ///   Cellar store, or a newer Cellar wrote it.
    public static func migrationStatus(url: String) throws -> MigrationStatus {
        try PostgreSQLBackend.migrationStatus(url: url)
    }
}
#endif

extension Store {
    /// Opens the store at `location`: a `postgresql://` URL in its
    /// database, anything else as a file's path. For the tools, whose
    /// `--store` takes either.
    package static func open(_ location: String, options: Options = Options()) throws -> Store {
        guard PostgreSQLURL.isURL(location) else { return try Store(at: location, options: options) }
        #if PostgreSQL
        return try Store(url: location, options: options)
        #else
        throw withoutPostgreSQL(location)
        #endif
    }

    /// The migrations of the store at `location`, a URL or a file's path,
    /// read without changing anything.
    package static func migrationStatus(of location: String) throws -> MigrationStatus {
        guard PostgreSQLURL.isURL(location) else { return try migrationStatus(at: location) }
        #if PostgreSQL
        return try migrationStatus(url: location)
        #else
        throw withoutPostgreSQL(location)
        #endif
    }

    #if !PostgreSQL
    private static func withoutPostgreSQL(_ url: String) -> StoreError {
        .cannotOpen(path: (try? PostgreSQLURL(url).redacted) ?? "the PostgreSQL store",
                    reason: "this build of Cellar has no PostgreSQL support; build it with its PostgreSQL trait, which is on by default")
    }
    #endif
}
