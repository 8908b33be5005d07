import Foundation
import PikaEmbeddings
import PikaMemory
import PikaRelational
import PikaStorage
import PikaTestSupport
import Testing

@testable import PikaDataStore

/// The reads that skim a user's block instead of decoding it (records by label, the same-slot
/// lookup, the favourites summary's slots, the lazy vector search, the keyword prebuild's plan)
/// against the real store: each gives what decoding the whole block and filtering gives.
@Suite("Segment memory store: skimming reads", .blockingWork)
struct SegmentSkimmingReadsTests {
    let scope = MemoryScope(tenant: "t", userID: "lan")
    let other = MemoryScope(tenant: "t", userID: "minh")
    static let slots: [String?] = [
        nil, nil, "favorite_color", "pref:tea", "name", "favorite_animal", "pref:caf\u{E9}", nil, "pref:cafe\u{301}",
    ]

    static func vector(_ n: Int) -> [Float] { (0..<64).map { sin(Float(n * 64 + $0) * 0.37) } }

    static func record(_ n: Int, scope: MemoryScope) -> MemoryRecord {
        let at = Date(timeIntervalSince1970: 1_700_000_000 + Double(n))
        return MemoryRecord(
            id: UUID().uuidString.lowercased(), scope: scope, text: "memory \(n) of \(scope.userID)", metadata: ["n": .number(Double(n))],
            attribute: slots[n % slots.count], createdAt: at, updatedAt: at, embedding: vector(n))
    }

    /// 600 memories of `scope` and 100 of `other` sealed, then an update (a new slot), deletes and a
    /// second seal, then 80 more in the growing segment; returns the live records of `scope`.
    func layered(_ store: SegmentMemoryStore) async throws -> [MemoryRecord] {
        var mine = try await store.apply((0..<600).map { .add(Self.record($0, scope: scope)) })
        _ = try await store.apply((0..<100).map { .add(Self.record($0, scope: other)) })
        try await store.seal()
        var updated = mine[2]
        updated.text = "memory 2, now a food"
        updated.attribute = "favorite_food"
        updated.updatedAt = Date(timeIntervalSince1970: 1_800_000_000)
        _ = try await store.apply([.update(updated, previousText: mine[2].text)])
        mine[2] = updated
        let gone = Set(stride(from: 3, to: 600, by: 11))
        _ = try await store.apply(gone.sorted().map { .delete(mine[$0]) })
        try await store.seal()
        mine += try await store.apply((600..<680).map { .add(Self.record($0, scope: scope)) })
        #expect(store.directory.growingCount == 80)
        return mine.enumerated().filter { !gone.contains($0.offset) }.map(\.element)
    }

    static func byLabel(_ records: [MemoryRecord]) -> [MemoryRecord] {
        records.map {
            var r = $0; r.embedding = []; return r
        }.sorted { $0.label < $1.label }
    }

    @Test(
        "records by label, the same-slot lookup and the summary's slots equal the filtered block, sealed and growing, after updates and deletes"
    )
    func skimmingReadsMatchTheBlock() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let live = try await layered(store)
        let all = try await store.allRecords(scope: scope)
        #expect(all.count == live.count)
        #expect(Self.byLabel(all).map(\.id) == Self.byLabel(live).map(\.id))
        let theirs = try await store.allRecords(scope: other)

        // By label: the user's live records only (not a deleted one, not another user's).
        let asked = [live[0].label, live[2].label, live[300].label, live.last!.label, theirs[5].label, 999_999]
        let found = try await store.records(labels: asked + [asked[0]], scope: scope)
        #expect(Self.byLabel(found) == Self.byLabel(all.filter { asked.contains($0.label) }))
        #expect(found.count == 4)

        // Same slot: the lowest-labelled live record filling it, with its vector.
        for slot in ["favorite_color", "pref:tea", "name", "favorite_food", "pref:caf\u{E9}", "pref:cafe\u{301}", "missing"] {
            let filling = try await store.record(scope: scope, attribute: slot)
            let expected = all.filter { $0.attribute == slot }.min { $0.label < $1.label }
            #expect(filling?.id == expected?.id, "\(slot)")
            if let filling {
                let byID = try await store.record(id: filling.id, tenant: "t")
                #expect(filling.embedding == byID?.embedding, "\(slot)")
                #expect(filling.embedding.count == 64)
            }
        }
        #expect(try await store.record(scope: scope, attribute: "favorite_food")?.text == "memory 2, now a food")
        #expect(try await store.record(scope: MemoryScope(tenant: "t", userID: "nobody"), attribute: "name") == nil)

        // The summary's slots: those records by label, the user's total, and the same summary.
        let (slots, total) = try await store.records(scope: scope, attributePrefixes: FavoriteSummary.attributePrefixes)
        let expected = all.filter { record in FavoriteSummary.attributePrefixes.contains { record.attribute?.hasPrefix($0) == true } }
        #expect(slots == expected)
        #expect(total == all.count)
        #expect(slots.count > 250)
        #expect(FavoriteSummary(records: slots, version: "v1") == FavoriteSummary(records: all, version: "v1"))
        let nobody = try await store.records(scope: MemoryScope(tenant: "t", userID: "nobody"), attributePrefixes: ["pref:"])
        #expect(nobody.records.isEmpty && nobody.total == 0)

        // The keyword prebuild's plan: every user with their live count.
        let plan = try await store.scopesWithRecords()
        #expect(Dictionary(uniqueKeysWithValues: plan.map { ($0.scope, $0.records) }) == [scope: all.count, other: 100])
    }

    @Test("a vector search decodes only the hits it is asked for, and gives the same records")
    func lazyNearest() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let live = try await layered(store)
        let number = try #require(try await store.scopeNumber(for: scope, create: false))
        let byID = Dictionary(uniqueKeysWithValues: live.map { ($0.id, $0) })
        for q in 0..<6 {
            let found = try await store.nearest(Self.vector(10_000 + q), scopeNumber: number, limit: 100, allowed: nil)
            #expect(found.hits.count == 100)
            let records = try found.records()
            #expect(records.map(\.record.label) == found.hits.map(\.label))
            for (record, _) in records { #expect(byID[record.id].map { Self.byLabel([$0]) } == Self.byLabel([record])) }
            #expect(try found.record(label: found.hits[57].label)?.label == found.hits[57].label)
            #expect(try found.record(label: 999_999) == nil)
            // Filters: the allowed labels scored exactly, best first.
            let allowed = Set(live.prefix(40).map(\.label))
            let filtered = try await store.nearest(Self.vector(10_000 + q), scopeNumber: number, limit: 10, allowed: allowed)
            #expect(filtered.hits.count == 10 && filtered.hits.allSatisfy { allowed.contains($0.label) })
            #expect(zip(filtered.hits, filtered.hits.dropFirst()).allSatisfy { $0.similarity >= $1.similarity })
        }
    }

    @Test("the same-slot lookup among a thousand memories drives consolidation: a new favourite replaces the old one")
    func sameSlotConsolidation() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let notes = (0..<1_000).map { ConversationMessage(role: "user", content: "note \($0) about the garden and the river") }
        _ = try await manager.add(AddInput(messages: notes, infer: false), scope: scope)
        let first = try await manager.add(
            AddInput(messages: [ConversationMessage(role: "user", content: "My favorite color is blue")]), scope: scope)
        #expect(first.map(\.event) == [.add])
        try await store.seal()
        let second = try await manager.add(
            AddInput(messages: [ConversationMessage(role: "user", content: "My favorite color is green")]), scope: scope)
        #expect(second.map(\.event) == [.update])
        #expect(second.first?.id == first.first?.id)
        let colours = try await store.allRecords(scope: scope).filter { $0.attribute == "favorite_color" }
        #expect(colours.count == 1)
        #expect(colours.first?.text.lowercased().contains("green") == true)
        #expect(try await store.record(scope: scope, attribute: "favorite_color")?.id == first.first?.id)
    }

    @Test("the favourites summary read from the store's slots follows updates and deletes, and goes with the user")
    func summaryFollowsWrites() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let search = TieredSearch(
            manager: manager, backend: InProcessCache(), summaries: SQLiteSummaryStore(database: directory.database),
            metrics: CacheMetrics())
        let notes = (0..<500).map { ConversationMessage(role: "user", content: "note \($0) about the garden") }
        _ = try await manager.add(AddInput(messages: notes, infer: false), scope: scope)
        for text in ["My favorite color is blue", "I like green tea", "I hate broccoli"] {
            _ = try await manager.add(AddInput(messages: [ConversationMessage(role: "user", content: text)]), scope: scope)
        }
        try await store.seal()
        func answer(_ question: PreferenceQuestion) async throws -> [String] {
            let summary = try #require(try await search.rebuildSummary(scope))
            return summary.answer(question, limit: 10)?.map { $0.record.text.lowercased() } ?? []
        }
        #expect(try await answer(.favorite(topic: "color")).first?.contains("blue") == true)
        #expect(try await answer(.likes).contains { $0.contains("tea") })
        #expect(try await answer(.dislikes).contains { $0.contains("broccoli") })

        _ = try await manager.add(
            AddInput(messages: [ConversationMessage(role: "user", content: "My favorite color is red")]), scope: scope)
        #expect(try await answer(.favorite(topic: "color")).first?.contains("red") == true)
        let tea = try #require(
            try await store.allRecords(scope: scope).first { $0.attribute?.hasPrefix("pref:") == true && $0.text.contains("tea") })
        try await manager.delete(id: tea.id, tenant: "t")
        #expect(try await answer(.likes).allSatisfy { !$0.contains("tea") })

        _ = try await manager.deleteUser(scope)
        #expect(try await search.rebuildSummary(scope) == nil)
    }

    @Test("the keyword prebuild builds the segment store's users, largest first, while they fit in the capacity")
    func keywordPrebuild() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let all = try await layered(store)
        let third = MemoryScope(tenant: "u", userID: "lan")
        _ = try await store.apply((0..<30).map { .add(Self.record($0, scope: third)) })
        let manager = try await MemoryManager(
            store: store, graph: SQLiteGraphStore(database: directory.database), embedder: try HashingEmbedder(dimension: 64),
            extractor: RuleExtractor(), keywordIndexes: UserKeywordIndexes(documentCapacity: all.count + 50),
            logger: ServiceDirectory.logger)
        try await manager.prebuildKeywordIndexes()
        let progress = manager.keywordPrebuild.snapshot
        #expect(progress.finished && progress.users == 3)
        // The largest user first (all.count), then 100 no longer fit, then the 30 do.
        #expect(progress.built == 2 && progress.skipped == 1 && progress.documents == all.count + 30)
        #expect(manager.keywordIndexes.isResident(scope) && manager.keywordIndexes.isResident(third))
        #expect(!manager.keywordIndexes.isResident(other))
        let hits = try await manager.search(SearchQuery(text: "memory 2, now a food", scope: scope, limit: 3, mode: .keyword))
        #expect(hits.results.first?.record.text == "memory 2, now a food")
    }
}
