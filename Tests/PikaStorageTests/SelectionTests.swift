import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@testable import PikaStorage

/// `records(tenant:selecting:)` and `searchLazily`, the reads that skim records instead of decoding
/// them: the same records as decoding everything and filtering, in every shape of directory.
@Suite("Skimming reads: records by label or attribute, lazy search", .blockingWork)
struct SelectionTests {
    /// Record n with label n + 1 and one of a few attributes (none, ASCII slots, a non-ASCII one
    /// spelled precomposed or decomposed).
    static func record(_ n: Int, attribute: String?? = nil) -> StoredRecord {
        var record = Fixture.record(n)
        record.label = UInt64(n + 1)
        record.owner = "tenant"
        let attributes: [String?] = [nil, "favorite_color", "pref:tea", "name", "pref:caf\u{E9}", "pref:cafe\u{301}", "favorite_animal"]
        record.attribute = attribute ?? attributes[n % attributes.count]
        return record
    }

    /// Two sealed segments with deletes and updates, and records in the growing segment.
    static func layered(at path: String) throws -> DataDirectory {
        let store = try DataDirectory.create(at: path, configuration: Fixture.configuration(.cosine))
        try store.upsert((0..<200).map { record($0) }, vectors: (0..<200).map { Fixture.vector($0) })
        try store.seal()
        _ = try store.delete(ids: stride(from: 0, to: 200, by: 9).map { "id-\($0)" })
        // id-2 fills a new slot now, in the next segment.
        try store.upsert([record(2, attribute: "favorite_food")], vectors: [Fixture.vector(900)])
        try store.upsert((200..<320).map { record($0) }, vectors: (200..<320).map { Fixture.vector($0) })
        try store.seal()
        _ = try store.delete(ids: ["id-210", "id-5"])
        try store.upsert((320..<360).map { record($0) }, vectors: (320..<360).map { Fixture.vector($0) })
        return store
    }

    static func sorted(_ records: [StoredRecord]) -> [StoredRecord] { records.sorted { $0.id < $1.id } }

    @Test("records by label, by attribute and by attribute prefix are the block's records filtered, in sealed and growing segments")
    func selectionsMatchFilteredBlock() throws {
        let dir = try TempDir()
        let store = try Self.layered(at: dir.sub("d"))
        #expect(store.state.withLock { $0.segments.count } == 2)
        #expect(store.growingCount == 40)
        let decomposed = "pref:cafe\u{301}"
        let cases: [(RecordSelection, (StoredRecord) -> Bool)] = [
            (.labels([1, 3, 4, 10, 11, 205, 211, 330, 9_999]), { [1, 3, 4, 10, 11, 205, 211, 330].contains($0.label) }),
            (.labels([]), { _ in false }),
            (.attribute("favorite_color"), { $0.attribute == "favorite_color" }),
            (.attribute("favorite_food"), { $0.attribute == "favorite_food" }),
            // Canonically equivalent spellings select each other, as String equality does.
            (.attribute("pref:caf\u{E9}"), { $0.attribute == "pref:caf\u{E9}" }),
            (.attribute(decomposed), { $0.attribute == decomposed }),
            (.attribute("nothing"), { _ in false }),
            (
                .attributePrefixes(["favorite_", "pref:"]),
                { $0.attribute.map { $0.hasPrefix("favorite_") || $0.hasPrefix("pref:") } ?? false }
            ),
            (.attributePrefixes(["pref:caf"]), { $0.attribute?.hasPrefix("pref:caf") ?? false }),
        ]
        var selectedSomething = 0
        for tenant in UInt32(0)..<5 {
            let block = try store.records(tenant: tenant)
            for (selection, wanted) in cases {
                let selected = try store.records(tenant: tenant, selecting: selection)
                #expect(Self.sorted(selected) == Self.sorted(block.filter(wanted)), "tenant \(tenant), \(selection)")
                selectedSomething += selected.count
                let entries = try store.entries(tenant: tenant, selecting: selection)
                #expect(Self.sorted(entries.map(\.record)) == Self.sorted(selected))
                for entry in entries {
                    // A cosine collection stores its vectors at unit length.
                    let n = Int(entry.record.id.dropFirst(3))!
                    let raw = Fixture.vector(n == 2 ? 900 : n)
                    let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
                    #expect(zip(entry.vector, raw).allSatisfy { abs($0 - $1 / norm) < 1e-6 }, "\(entry.record.id)")
                }
            }
        }
        #expect(selectedSomething > 300)
        // Both spellings of the café slot hold records, and each selects both.
        var cafe: [StoredRecord] = []
        for tenant in UInt32(0)..<4 { cafe += try store.records(tenant: tenant, selecting: .attribute(decomposed)) }
        #expect(Set(cafe.compactMap { $0.attribute.map { Array($0.utf8) } }).count == 2)  // (a Set of Strings would merge them)
        // Deleted and replaced versions are never selected.
        #expect(try store.records(tenant: 0, selecting: .labels([1])).isEmpty)
        #expect(try store.records(tenant: 2, selecting: .labels([3])).map(\.attribute) == ["favorite_food"])
    }

    @Test("a tenant's live counts in one pass equal the per-tenant counts")
    func liveCounts() throws {
        let dir = try TempDir()
        let store = try Self.layered(at: dir.sub("d"))
        let counts = store.liveCounts()
        #expect(counts.keys.sorted() == [0, 1, 2, 3])
        for tenant in UInt32(0)..<5 { #expect(counts[tenant, default: 0] == store.liveCount(tenant: tenant)) }
        #expect(counts.values.reduce(0, +) == store.count)
    }

    @Test("a lazy search ranks as the full search (ties by id), decodes on demand, and its hits outlive a compaction")
    func lazySearchMatchesFullSearch() throws {
        let dir = try TempDir()
        for metric in [Metric.l2, .cosine, .innerProduct] {
            let (store, _) = try IDSearchTests.layeredStore(at: dir.sub("\(metric)"), metric: metric)
            for q in 0..<24 {
                let query = Fixture.vector(20_000 + q)
                var options = RecordSearchOptions(k: [1, 10, 40][q % 3], tenant: q % 4 == 3 ? nil : UInt32(q % 4))
                options.plan = [SearchPlan.automatic, .exact, .graph][q % 3]
                let full = try store.searchReport(query, options: options)
                let deferred = try store.searchLazily(query, options: options)
                #expect(try deferred.map { try $0.record() } == full.hits.map(\.record), "\(metric) query \(q)")
                #expect(deferred.map(\.distance) == full.hits.map(\.distance), "\(metric) query \(q)")
                #expect(deferred.map(\.label) == full.hits.map(\.record.label), "\(metric) query \(q)")
            }
        }

        // Equal distances in several segments and the growing one: ordered by id. (Below six hits
        // each segment offers its own k of its tied rows, so which twins make the cut is not
        // decided by id across segments; the order of those that do is.)
        let store = try DataDirectory.create(at: dir.sub("ties"), configuration: Fixture.configuration(.l2))
        let twins = [17, 3, 250, 41, 8, 112]
        for (i, n) in twins.enumerated() {
            try store.upsert(Self.record(n), vector: Fixture.vector(7))
            if i % 2 == 1 && i < twins.count - 1 { try store.seal() }  // the last one stays in the growing segment
        }
        try store.upsert((400..<440).map { Self.record($0) }, vectors: (400..<440).map { Fixture.vector($0) })
        let expected = twins.map { "id-\($0)" }.sorted()
        for k in [1, 4, 6, 9] {
            let hits = try store.searchLazily(Fixture.vector(7), options: RecordSearchOptions(k: k))
            let tied = try hits.prefix(min(k, 6)).map { try $0.record().id }
            #expect(tied == tied.sorted() && Set(tied).isSubset(of: expected), "k \(k)")
            if k >= 6 { #expect(tied == expected, "k \(k)") }
            #expect(hits.count == k)
            #expect(
                try hits.map { try $0.record().id } == store.search(Fixture.vector(7), options: RecordSearchOptions(k: k)).map(\.record.id))
        }

        // Hits taken before a compaction still read their records after it retired their segments.
        let before = try store.searchLazily(Fixture.vector(7), options: RecordSearchOptions(k: 8))
        try store.seal()
        _ = try store.delete(ids: ["id-17"])
        _ = try store.compact()
        #expect(try before.map { try $0.record().id }.prefix(6) == ["id-112", "id-17", "id-250", "id-3", "id-41", "id-8"])
        #expect(
            try store.searchLazily(Fixture.vector(7), options: RecordSearchOptions(k: 5)).map { try $0.record().id } == [
                "id-112", "id-250", "id-3", "id-41", "id-8",
            ])
    }
}
