import Foundation
import PikaMemory

/// ``GraphStore`` on SQLite: entity and relation tables, walked breadth-first in memory.
public struct SQLiteGraphStore: LoadedGraphStore {
    private let database: SQLiteDatabase

    /// Creates a store on an opened relational database.
    public init(database: SQLiteDatabase) { self.database = database }

    /// See ``GraphStore/add(entities:relations:memoryID:scope:)``.
    public func add(entities: [GraphEntity], relations: [GraphRelation], memoryID: String, scope: MemoryScope) async throws {
        guard !entities.isEmpty || !relations.isEmpty else { return }
        try await database.transaction { db in
            let now = Date().timeIntervalSince1970
            for entity in entities {
                try db.query(
                    "INSERT OR IGNORE INTO entities (tenant, user_id, name_key, name, type) VALUES (?,?,?,?,?)",
                    [.text(scope.tenant), .text(scope.userID), .text(entity.name.lowercased()), .text(entity.name), .text(entity.type)])
            }
            for relation in relations {
                let existing = try db.queryOne(
                    """
                    SELECT 1 FROM relations WHERE tenant = ? AND user_id = ? AND lower(source) = ? AND relation = ?
                        AND lower(target) = ? AND valid_to IS NULL
                    """,
                    [
                        .text(scope.tenant), .text(scope.userID), .text(relation.source.lowercased()), .text(relation.relation),
                        .text(relation.target.lowercased()),
                    ])
                if existing != nil { continue }
                try db.query(
                    "INSERT INTO relations (tenant, user_id, source, relation, target, memory_id, valid_from) VALUES (?,?,?,?,?,?,?)",
                    [
                        .text(scope.tenant), .text(scope.userID), .text(relation.source), .text(relation.relation),
                        .text(relation.target), .text(memoryID), .real(now),
                    ])
            }
        }
    }

    /// See ``GraphStore/retire(memoryID:scope:)``.
    public func retire(memoryID: String, scope: MemoryScope) async throws {
        try await database.transaction { db in
            try db.query(
                "UPDATE relations SET valid_to = ? WHERE tenant = ? AND user_id = ? AND memory_id = ? AND valid_to IS NULL",
                [.real(Date().timeIntervalSince1970), .text(scope.tenant), .text(scope.userID), .text(memoryID)])
        }
    }

    /// See ``GraphStore/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws {
        try await database.transaction { db in
            try db.query("DELETE FROM entities WHERE tenant = ? AND user_id = ?", [.text(scope.tenant), .text(scope.userID)])
            try db.query("DELETE FROM relations WHERE tenant = ? AND user_id = ?", [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``LoadedGraphStore/currentRelations(_:)``.
    public func currentRelations(_ scope: MemoryScope) async throws -> [GraphRelation] {
        try await database.read { db in
            try db.query(
                "SELECT source, relation, target FROM relations WHERE tenant = ? AND user_id = ? AND valid_to IS NULL ORDER BY seq",
                [.text(scope.tenant), .text(scope.userID)]
            ).map { GraphRelation(source: $0.string(0) ?? "", relation: $0.string(1) ?? "", target: $0.string(2) ?? "") }
        }
    }

    /// See ``LoadedGraphStore/allEntities(_:)``.
    public func allEntities(_ scope: MemoryScope) async throws -> [GraphEntity] {
        try await database.read { db in
            try db.query(
                "SELECT name, type FROM entities WHERE tenant = ? AND user_id = ? ORDER BY name_key",
                [.text(scope.tenant), .text(scope.userID)]
            ).map { GraphEntity(name: $0.string(0) ?? "", type: $0.string(1) ?? "") }
        }
    }
}
