import Foundation
import PikaMemory

/// ``MemoryRecordStore`` on SQLite: records with their embeddings, and history.
public struct SQLiteMemoryStore: MemoryRecordStore {
    private let database: SQLiteDatabase

    /// Creates a store on an opened relational database.
    public init(database: SQLiteDatabase) {
        self.database = database
    }

    /// The `memories` columns ``decode(_:withEmbedding:)`` reads, in its order (the embedding follows them).
    public static let columns = """
        label, id, tenant, user_id, agent_id, run_id, text, metadata, attribute, provenance, created_at, updated_at,
        kind, occurred_at
        """

    /// See ``MemoryRecordStore/scopeNumber(for:create:)``.
    public func scopeNumber(for scope: MemoryScope, create: Bool) async throws -> UInt32? {
        try await database.run { db in
            try Self.scopeNumber(db, scope, create: create)
        }
    }

    static func scopeNumber(_ db: SQLiteConnection, _ scope: MemoryScope, create: Bool) throws -> UInt32? {
        let select = "SELECT number FROM scopes WHERE tenant = ? AND user_id = ?"
        if let row = try db.queryOne(select, [.text(scope.tenant), .text(scope.userID)]) {
            return UInt32(truncatingIfNeeded: row.int64(0))
        }
        guard create else { return nil }
        try db.query("INSERT INTO scopes (tenant, user_id) VALUES (?, ?)", [.text(scope.tenant), .text(scope.userID)])
        return UInt32(truncatingIfNeeded: db.lastInsertRowID)
    }

    /// See ``MemoryRecordStore/apply(_:)``.
    public func apply(_ mutations: [MemoryMutation]) async throws -> [MemoryRecord] {
        try await database.transaction { db in
            var applied: [MemoryRecord] = []
            for mutation in mutations {
                switch mutation {
                case .add(var record):
                    guard let number = try Self.scopeNumber(db, record.scope, create: true) else { continue }
                    try db.query(
                        """
                        INSERT INTO memories (id, tenant, user_id, scope, agent_id, run_id, text, metadata, attribute,
                            provenance, created_at, updated_at, embedding, kind, occurred_at)
                            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                        """,
                        [
                            .text(record.id), .text(record.scope.tenant), .text(record.scope.userID), .integer(Int64(number)),
                            .optional(record.agentID), .optional(record.runID), .text(record.text),
                            .text(JSONValue.encodeObject(record.metadata)), .optional(record.attribute),
                            .text(Self.encodeList(record.provenance)), .real(record.createdAt.timeIntervalSince1970),
                            .real(record.updatedAt.timeIntervalSince1970), .blob(EmbeddingBlob.encode(record.embedding)),
                            .text(record.kind.rawValue), Self.time(record.occurredAt),
                        ])
                    record.label = UInt64(db.lastInsertRowID)
                    try Self.addHistory(db, record, .add, old: nil, new: record.text, at: record.createdAt)
                    applied.append(record)
                case .update(let record, let previousText):
                    try db.query(
                        """
                        UPDATE memories SET text = ?, metadata = ?, attribute = ?, provenance = ?, updated_at = ?,
                            embedding = ?, kind = ?, occurred_at = ? WHERE id = ? AND tenant = ?
                        """,
                        [
                            .text(record.text), .text(JSONValue.encodeObject(record.metadata)), .optional(record.attribute),
                            .text(Self.encodeList(record.provenance)), .real(record.updatedAt.timeIntervalSince1970),
                            .blob(EmbeddingBlob.encode(record.embedding)), .text(record.kind.rawValue),
                            Self.time(record.occurredAt), .text(record.id), .text(record.scope.tenant),
                        ])
                    guard db.changes == 1 else { throw MemoryError(.notFound, "memory \(record.id) not found") }
                    try Self.addHistory(db, record, .update, old: previousText, new: record.text, at: record.updatedAt)
                    applied.append(record)
                case .delete(let record):
                    try db.query("DELETE FROM memories WHERE id = ? AND tenant = ?", [.text(record.id), .text(record.scope.tenant)])
                    guard db.changes == 1 else { throw MemoryError(.notFound, "memory \(record.id) not found") }
                    try Self.addHistory(db, record, .delete, old: record.text, new: nil, at: record.updatedAt)
                    applied.append(record)
                }
            }
            return applied
        }
    }

    private static func addHistory(
        _ db: SQLiteConnection, _ record: MemoryRecord, _ event: MemoryEvent, old: String?, new: String?, at: Date
    ) throws {
        try db.query(
            "INSERT INTO history (memory_id, tenant, user_id, event, old_memory, new_memory, created_at) VALUES (?,?,?,?,?,?,?)",
            [
                .text(record.id), .text(record.scope.tenant), .text(record.scope.userID), .text(event.rawValue),
                .optional(old), .optional(new), .real(at.timeIntervalSince1970),
            ])
    }

    /// See ``MemoryRecordStore/record(id:tenant:)``.
    public func record(id: String, tenant: String) async throws -> MemoryRecord? {
        try await database.read { db in
            try db.queryOne("SELECT \(Self.columns), embedding FROM memories WHERE id = ? AND tenant = ?", [.text(id), .text(tenant)])
                .map { Self.decode($0, withEmbedding: true) }
        }
    }

    /// See ``MemoryRecordStore/records(labels:)``.
    public func records(labels: [UInt64]) async throws -> [MemoryRecord] {
        guard !labels.isEmpty else { return [] }
        return try await database.read { db in
            var out: [MemoryRecord] = []
            for chunk in stride(from: 0, to: labels.count, by: 500) {
                let slice = labels[chunk..<min(chunk + 500, labels.count)]
                let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
                out += try db.query(
                    "SELECT \(Self.columns) FROM memories WHERE label IN (\(marks))",
                    slice.map { .integer(Int64($0)) }
                ).map { Self.decode($0, withEmbedding: false) }
            }
            return out
        }
    }

    /// See ``MemoryRecordStore/records(scope:agentID:runID:afterLabel:limit:)``.
    public func records(
        scope: MemoryScope, agentID: String?, runID: String?, afterLabel: UInt64, limit: Int
    ) async throws
        -> [MemoryRecord]
    {
        try await database.read { db in
            var sql = "SELECT \(Self.columns) FROM memories WHERE tenant = ? AND user_id = ? AND label > ?"
            var args: [SQLiteValue] = [.text(scope.tenant), .text(scope.userID), .integer(Int64(afterLabel))]
            if let agentID {
                sql += " AND agent_id = ?"
                args.append(.text(agentID))
            }
            if let runID {
                sql += " AND run_id = ?"
                args.append(.text(runID))
            }
            sql += " ORDER BY label LIMIT ?"
            args.append(.int(limit))
            return try db.query(sql, args).map { Self.decode($0, withEmbedding: false) }
        }
    }

    /// See ``MemoryRecordStore/record(scope:attribute:)``.
    public func record(scope: MemoryScope, attribute: String) async throws -> MemoryRecord? {
        try await database.read { db in
            try db.queryOne(
                "SELECT \(Self.columns), embedding FROM memories WHERE tenant = ? AND user_id = ? AND attribute = ? ORDER BY label LIMIT 1",
                [.text(scope.tenant), .text(scope.userID), .text(attribute)]
            ).map { Self.decode($0, withEmbedding: true) }
        }
    }

    /// See ``MemoryRecordStore/allRecords(scope:)``.
    public func allRecords(scope: MemoryScope) async throws -> [MemoryRecord] {
        try await database.read { db in
            try db.query(
                "SELECT \(Self.columns) FROM memories WHERE tenant = ? AND user_id = ? ORDER BY label",
                [.text(scope.tenant), .text(scope.userID)]
            ).map { Self.decode($0, withEmbedding: false) }
        }
    }

    /// See ``MemoryRecordStore/users(tenant:after:limit:)``. Walks the `memories_scope` index.
    public func users(tenant: String, after: String?, limit: Int) async throws -> [UserMemoryCount] {
        try await database.read { db in
            try db.query(
                """
                SELECT user_id, COUNT(*) FROM memories WHERE tenant = ? AND user_id > ?
                GROUP BY user_id ORDER BY user_id LIMIT ?
                """,
                [.text(tenant), .text(after ?? ""), .int(limit)]
            ).map { UserMemoryCount(userID: $0.string(0) ?? "", memoryCount: Int($0.int64(1))) }
        }
    }

    /// See ``MemoryRecordStore/history(memoryID:tenant:)``.
    public func history(memoryID: String, tenant: String) async throws -> [HistoryEntry] {
        try await database.read { db in try Self.history(db, memoryID: memoryID, tenant: tenant) }
    }

    /// A memory's rows of the `history` table inside `tenant`, oldest first (both memory stores keep
    /// history in this table).
    public static func history(_ db: SQLiteConnection, memoryID: String, tenant: String) throws -> [HistoryEntry] {
        try db.query(
            "SELECT memory_id, event, old_memory, new_memory, created_at FROM history WHERE memory_id = ? AND tenant = ? ORDER BY seq",
            [.text(memoryID), .text(tenant)]
        ).map { row in
            HistoryEntry(
                memoryID: row.string(0) ?? "", event: MemoryEvent(rawValue: row.string(1) ?? "") ?? .none,
                oldMemory: row.string(2), newMemory: row.string(3),
                createdAt: Date(timeIntervalSince1970: row.double(4)))
        }
    }

    /// See ``MemoryRecordStore/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws -> [UInt64] {
        try await database.transaction { db in
            let args: [SQLiteValue] = [.text(scope.tenant), .text(scope.userID)]
            let labels = try db.query("SELECT label FROM memories WHERE tenant = ? AND user_id = ?", args).map { UInt64($0.int64(0)) }
            try db.query("DELETE FROM memories WHERE tenant = ? AND user_id = ?", args)
            try db.query("DELETE FROM history WHERE tenant = ? AND user_id = ?", args)
            return labels
        }
    }

    /// See ``MemoryRecordStore/forEachEmbedding(_:)``.
    public func forEachEmbedding(_ body: @escaping @Sendable (UInt64, UInt32, [Float]) -> Void) async throws {
        try await database.run { db in
            for row in try db.query("SELECT label, scope, embedding FROM memories") {
                body(UInt64(row.int64(0)), UInt32(truncatingIfNeeded: row.int64(1)), EmbeddingBlob.decode(row.blob(2)))
            }
        }
    }

    /// A record from a row selecting ``columns`` (and `embedding` after them when `withEmbedding`).
    public static func decode(_ row: SQLiteRow, withEmbedding: Bool) -> MemoryRecord {
        MemoryRecord(
            id: row.string(1) ?? "", label: UInt64(row.int64(0)),
            scope: MemoryScope(tenant: row.string(2) ?? "", userID: row.string(3) ?? ""),
            agentID: row.string(4), runID: row.string(5), text: row.string(6) ?? "",
            metadata: JSONValue.decodeObject(row.string(7)), attribute: row.string(8),
            provenance: decodeList(row.string(9)),
            kind: row.string(12).flatMap(MemoryKind.init(rawValue:)) ?? .fact,
            occurredAt: row.string(13) == nil ? nil : Date(timeIntervalSince1970: row.double(13)),
            createdAt: Date(timeIntervalSince1970: row.double(10)), updatedAt: Date(timeIntervalSince1970: row.double(11)),
            embedding: withEmbedding ? EmbeddingBlob.decode(row.blob(14)) : [])
    }

    /// An optional time as a REAL of Unix seconds, or NULL.
    static func time(_ date: Date?) -> SQLiteValue {
        date.map { .real($0.timeIntervalSince1970) } ?? .null
    }

    /// A list as the JSON text the stores keep it in.
    public static func encodeList(_ list: [String]) -> String {
        JSONValue.encodeObject(["p": .array(list.map { .string($0) })])
    }

    /// ``encodeList(_:)``'s text read back (an empty list for nil or damage).
    public static func decodeList(_ text: String?) -> [String] {
        if let text, let plain = plainList(text) { return plain }
        return JSONValue.decodeObject(text)["p"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// `encodeList`'s output read without a JSON decoder when no string holds an escape: then no
    /// string holds a quote either, so the quotes alternate opening and closing items, with `,`
    /// between items. Nil for anything else (spacing, numbers, escapes: the decoder reads those).
    /// Works on UTF-8 bytes: Foundation's `String.contains` was slower than the decoder it skips.
    static func plainList(_ text: String) -> [String]? {
        // On the contiguous bytes: the generic collection operations on `utf8` (split, reversed)
        // cost ~3 % of a hybrid search, which decodes a hundred candidates' provenance.
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            let prefix = #"{"p":["#.utf8
            let suffix = "]}".utf8
            let quote = UInt8(ascii: "\"")
            let comma = UInt8(ascii: ",")
            guard bytes.count >= prefix.count + suffix.count, bytes.starts(with: prefix),
                bytes[bytes.count - 2] == UInt8(ascii: "]"), bytes[bytes.count - 1] == UInt8(ascii: "}"),
                !bytes.contains(UInt8(ascii: "\\"))
            else { return nil }
            let end = bytes.count - suffix.count
            var items: [String] = []
            var i = prefix.count
            // `"a","b"`: a quoted item, then a comma and another, until the end.
            while i < end {
                guard bytes[i] == quote else { return nil }
                var close = i + 1
                while close < end && bytes[close] != quote { close += 1 }
                guard close < end else { return nil }
                items.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + 1)..<close]), as: UTF8.self))
                i = close + 1
                if i < end {
                    guard bytes[i] == comma, i + 1 < end else { return nil }
                    i += 1
                }
            }
            return items
        }
    }
}
