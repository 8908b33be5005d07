/// Named settings persisted with the data (e.g. the embedder a data directory was built with).
public struct SQLiteSettings: Sendable {
    private let database: SQLiteDatabase

    /// Creates the accessor.
    public init(database: SQLiteDatabase) { self.database = database }

    /// The value of `name`.
    public func value(_ name: String) async throws -> String? {
        try await database.run { db in try db.queryOne("SELECT value FROM settings WHERE name = ?", [.text(name)])?.string(0) }
    }

    /// Sets `name`.
    public func set(_ name: String, _ value: String) async throws {
        try await database.run { db in
            try db.query("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", [.text(name), .text(value)])
        }
    }
}
