import PikaMemory
import Testing

/// ``GraphStore``: the same behaviour on SQLite and PostgreSQL.
@Suite("GraphStore contract")
struct GraphStoreContractTests {
    private let alice = MemoryScope(tenant: "t1", userID: "alice")
    private let entities = [
        GraphEntity(name: "Alice", type: "user"), GraphEntity(name: "Mochi", type: "pet"),
        GraphEntity(name: "Ho Chi Minh City", type: "place"), GraphEntity(name: "Binh", type: "person"),
    ]
    private let relations = [
        GraphRelation(source: "Alice", relation: "has_pet", target: "Mochi"),
        GraphRelation(source: "Alice", relation: "lives_in", target: "Ho Chi Minh City"),
        GraphRelation(source: "Binh", relation: "sibling", target: "Alice"),
    ]

    @Test(
        "relations touching names, entities mentioned in text, duplicates merged case-insensitively",
        arguments: StoreBackend.allCases)
    func addAndQuery(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let graph = stores.graph()
            try await graph.add(entities: entities, relations: relations, memoryID: "m1", scope: alice)
            try await graph.add(
                entities: [GraphEntity(name: "MOCHI", type: "pet")],
                relations: [GraphRelation(source: "alice", relation: "has_pet", target: "mochi")],
                memoryID: "m2", scope: alice)
            #expect(try await graph.relations(touching: ["mochi"], scope: alice) == [relations[0]])
            #expect(try await graph.relations(touching: ["ALICE"], scope: alice) == relations)
            #expect(try await graph.relations(touching: [], scope: alice).isEmpty)
            let mentioned = try await graph.entities(mentionedIn: "Does Mochi like ho chi minh city? Alicea no.", scope: alice)
            #expect(mentioned.map(\.name) == ["Ho Chi Minh City", "Mochi"])
            let other = MemoryScope(tenant: "t2", userID: "alice")
            #expect(try await graph.relations(touching: ["Alice"], scope: other).isEmpty)
            #expect(try await graph.subgraph(entity: nil, depth: 1, scope: other) == ([], []))
        }
    }

    @Test("retiring a memory closes its relations only", arguments: StoreBackend.allCases)
    func retire(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let graph = stores.graph()
            try await graph.add(entities: entities, relations: Array(relations.prefix(2)), memoryID: "m1", scope: alice)
            try await graph.add(entities: [], relations: [relations[2]], memoryID: "m2", scope: alice)
            try await graph.retire(memoryID: "m1", scope: alice)
            #expect(try await graph.relations(touching: ["Alice"], scope: alice) == [relations[2]])
            // A retired relation can be learnt again from a new memory.
            try await graph.add(entities: [], relations: [relations[0]], memoryID: "m3", scope: alice)
            #expect(try await graph.relations(touching: ["Mochi"], scope: alice) == [relations[0]])
        }
    }

    @Test("subgraph walks depth hops from an entity; the whole graph without one", arguments: StoreBackend.allCases)
    func subgraph(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let graph = stores.graph()
            try await graph.add(entities: entities, relations: relations, memoryID: "m1", scope: alice)
            let (near, nearRelations) = try await graph.subgraph(entity: "binh", depth: 1, scope: alice)
            #expect(near.map(\.name) == ["Alice", "Binh"] && nearRelations == [relations[2]])
            let (far, farRelations) = try await graph.subgraph(entity: "Binh", depth: 2, scope: alice)
            #expect(far.count == 4 && farRelations == relations)
            let (all, allRelations) = try await graph.subgraph(entity: nil, depth: 1, scope: alice)
            #expect(all.map(\.name) == ["Alice", "Binh", "Ho Chi Minh City", "Mochi"] && allRelations == relations)
        }
    }

    @Test("deleting a scope removes its graph only", arguments: StoreBackend.allCases)
    func deleteScope(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let graph = stores.graph()
            let bob = MemoryScope(tenant: "t1", userID: "bob")
            try await graph.add(entities: entities, relations: relations, memoryID: "m1", scope: alice)
            try await graph.add(entities: entities, relations: relations, memoryID: "m9", scope: bob)
            try await graph.deleteScope(alice)
            #expect(try await graph.subgraph(entity: nil, depth: 1, scope: alice) == ([], []))
            #expect(try await graph.subgraph(entity: nil, depth: 1, scope: bob).1 == relations)
        }
    }
}
