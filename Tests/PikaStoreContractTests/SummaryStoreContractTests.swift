import Foundation
import PikaMemory
import Testing

/// ``SummaryStore`` (the L2 tier's table): the same behaviour on SQLite and PostgreSQL.
@Suite("SummaryStore contract")
struct SummaryStoreContractTests {
    static let backends = StoreBackend.allCases

    private let alice = MemoryScope(tenant: "t1", userID: "alice")
    private let document: JSONValue = .object([
        "favorites": .object(["color": .string("xanh lá"), "food": .array([.string("phở"), .string("sushi")])]),
        "preferences": .array([.object(["thing": .string("tea"), "likes": .bool(true)])]),
        "memory_count": .number(7),
    ])

    @Test("a saved summary reads back whole, per tenant and user", arguments: backends)
    func saveAndRead(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let summaries = stores.summaries()
            #expect(try await summaries.summary(for: alice) == nil)
            let saved = UserSummary(scope: alice, summary: document, lastUpdated: t0)
            try await summaries.save(saved)
            #expect(try await summaries.summary(for: alice) == saved)
            #expect(try await summaries.summary(for: MemoryScope(tenant: "t2", userID: "alice")) == nil)
            let rebuilt = UserSummary(scope: alice, summary: .object(["favorites": .object([:])]), lastUpdated: t0 + 60)
            try await summaries.save(rebuilt)
            #expect(try await summaries.summary(for: alice) == rebuilt)
            try await summaries.delete(scope: alice)
            #expect(try await summaries.summary(for: alice) == nil)
        }
    }

    @Test("stale lists users rebuilt before a time, oldest first, at most limit", arguments: backends)
    func stale(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let summaries = stores.summaries()
            let scopes = ["c", "a", "d", "b"].map { MemoryScope(tenant: "t1", userID: $0) }
            for (offset, scope) in scopes.enumerated() {
                try await summaries.save(UserSummary(scope: scope, summary: document, lastUpdated: t0 + Double(offset) * 10))
            }
            #expect(try await summaries.stale(before: t0 + 25, limit: 10) == Array(scopes.prefix(3)))
            #expect(try await summaries.stale(before: t0 + 25, limit: 2) == Array(scopes.prefix(2)))
            #expect(try await summaries.stale(before: t0, limit: 10).isEmpty)
        }
    }
}
