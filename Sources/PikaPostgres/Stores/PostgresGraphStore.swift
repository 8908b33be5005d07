import Foundation
import PikaMemory

/// ``GraphStore`` on PostgreSQL: tables `graph_entities` and `graph_relations` (validity intervals),
/// queried per user and walked in memory by ``GraphQueries``, like the SQLite store.
public struct PostgresGraphStore: LoadedGraphStore {
    private let pool: PostgresPool

    /// Creates a store on a migrated database.
    public init(pool: PostgresPool) { self.pool = pool }

    /// See ``GraphStore/add(entities:relations:memoryID:scope:)``.
    public func add(entities: [GraphEntity], relations: [GraphRelation], memoryID: String, scope: MemoryScope) async throws {
        guard !entities.isEmpty || !relations.isEmpty else { return }
        try await pool.storeTransaction { db throws(PostgresError) in
            let owner: [PostgresValue] = [.text(scope.tenant), .text(scope.userID)]
            for entity in entities {
                try db.query(
                    "INSERT INTO graph_entities (tenant, user_id, name_key, name, type) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    owner + [.text(entity.name.lowercased()), .text(entity.name), .text(entity.type)])
            }
            for relation in relations {
                // A relation already current (same ends, case-insensitive) is not added twice.
                try db.query(
                    """
                    INSERT INTO graph_relations (tenant, user_id, source, relation, target, memory_id, valid_from)
                    SELECT $1, $2, $3, $4, $5, $6, now()
                    WHERE NOT EXISTS (SELECT 1 FROM graph_relations WHERE tenant = $1 AND user_id = $2
                        AND lower(source) = lower($3) AND relation = $4 AND lower(target) = lower($5) AND valid_to IS NULL)
                    """,
                    owner + [.text(relation.source), .text(relation.relation), .text(relation.target), .text(memoryID)])
            }
        }
    }

    /// See ``GraphStore/retire(memoryID:scope:)``.
    public func retire(memoryID: String, scope: MemoryScope) async throws {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                "UPDATE graph_relations SET valid_to = now() WHERE tenant = $1 AND user_id = $2 AND memory_id = $3 AND valid_to IS NULL",
                [.text(scope.tenant), .text(scope.userID), .text(memoryID)])
        }
    }

    /// See ``GraphStore/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws {
        try await pool.storeTransaction { db throws(PostgresError) in
            let owner: [PostgresValue] = [.text(scope.tenant), .text(scope.userID)]
            try db.query("DELETE FROM graph_entities WHERE tenant = $1 AND user_id = $2", owner)
            try db.query("DELETE FROM graph_relations WHERE tenant = $1 AND user_id = $2", owner)
        }
    }

    /// See ``LoadedGraphStore/currentRelations(_:)``.
    public func currentRelations(_ scope: MemoryScope) async throws -> [GraphRelation] {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                "SELECT source, relation, target FROM graph_relations WHERE tenant = $1 AND user_id = $2 AND valid_to IS NULL ORDER BY seq",
                [.text(scope.tenant), .text(scope.userID)]
            ).rows.map { GraphRelation(source: $0.string(0) ?? "", relation: $0.string(1) ?? "", target: $0.string(2) ?? "") }
        }
    }

    /// See ``LoadedGraphStore/allEntities(_:)``.
    public func allEntities(_ scope: MemoryScope) async throws -> [GraphEntity] {
        // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
        try await pool.store { db throws(PostgresError) in
            try db.query(
                "SELECT name, type FROM graph_entities WHERE tenant = $1 AND user_id = $2 ORDER BY name_key COLLATE \"C\"",
                [.text(scope.tenant), .text(scope.userID)]
            ).rows.map { GraphEntity(name: $0.string(0) ?? "", type: $0.string(1) ?? "") }
        }
    }
}
