import Foundation
import PikaMemory
import Testing

@Suite("Cache building blocks: LRU, keys, preference questions, summaries")
struct CacheBuildingBlockTests {
    @Test func lruEvictsLeastRecentlyUsedByCountAndByCost() {
        let cache = LRUCache<Int>(capacity: 3, maxCost: 100, ttl: .seconds(60))
        cache.set("a", 1)
        cache.set("b", 2)
        cache.set("c", 3)
        #expect(cache.get("a") == 1)  // a is now the most recent
        cache.set("d", 4)  // evicts b
        #expect(cache.get("b") == nil && cache.get("a") == 1 && cache.get("c") == 3 && cache.get("d") == 4)
        cache.set("big", 5, cost: 98)  // evicts until the cost fits
        #expect(cache.totalCost <= 100 && cache.get("big") == 5 && cache.count <= 3)
        cache.set("huge", 6, cost: 101)  // never stored
        #expect(cache.get("huge") == nil)
        cache.set("big", 7, cost: 1)  // replacing updates value and cost
        #expect(cache.get("big") == 7 && cache.totalCost < 100)
        cache.remove("big")
        #expect(cache.get("big") == nil)
    }

    @Test func lruEntriesExpire() async throws {
        let cache = LRUCache<String>(capacity: 10, ttl: .milliseconds(30))
        cache.set("short", "x")
        cache.set("long", "y", ttl: .seconds(60))
        try await Task.sleep(for: .milliseconds(60))
        #expect(cache.get("short") == nil && cache.get("long") == "y" && cache.count == 1)
    }

    @Test func lruSurvivesConcurrentUse() async {
        let cache = LRUCache<Int>(capacity: 64, ttl: .seconds(60))
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    for i in 0..<2_000 {
                        cache.set("k\((i * 7 + worker) % 100)", i)
                        _ = cache.get("k\(i % 100)")
                    }
                }
            }
        }
        #expect(cache.count <= 64 && cache.count > 0)
    }

    @Test func keysFollowTheSeedAndCannotBeConfusedAcrossTenants() {
        let scope = MemoryScope(tenant: "acme", userID: "u1")
        #expect(CacheKeys.version(scope) == "user_version:acme:u1")
        #expect(CacheKeys.search(scope, version: "v9", queryHash: "abc") == "search:acme:u1:v9:abc")
        #expect(CacheKeys.embedding(model: "all-MiniLM-L6-v2/384", text: "hi").hasPrefix("embedding:all-MiniLM-L6-v2/384:"))
        #expect(CacheKeys.hash("hi").count == 32)
        // "t" + "a:b" and "t:a" + "b" must not share a key.
        #expect(CacheKeys.version(MemoryScope(tenant: "t", userID: "a:b")) != CacheKeys.version(MemoryScope(tenant: "t:a", userID: "b")))
    }

    @Test func inProcessVersionTagsAreNeverReused() async throws {
        let cache = InProcessCache(entries: 10, users: 2)
        let scope = MemoryScope(tenant: "t", userID: "u")
        let first = try await cache.version(of: scope)
        #expect(try await cache.version(of: scope) == first)
        try await cache.bumpVersion(of: scope)
        let second = try await cache.version(of: scope)
        #expect(second != first)
        // Evict the tag (capacity 2): the next read hands out a fresh tag, not an old one.
        for user in ["x", "y", "z"] { _ = try await cache.version(of: MemoryScope(tenant: "t", userID: user)) }
        let third = try await cache.version(of: scope)
        #expect(third != first && third != second)
        // Another process (another cache) never hands out the same tags.
        #expect(try await InProcessCache().version(of: scope) != first)
    }

    @Test func preferenceQuestionsInEnglishAndVietnamese() {
        let cases: [(String, PreferenceQuestion?)] = [
            ("What is my favorite color?", .favorite(topic: "color")),
            ("what's my favourite colour", .favorite(topic: "color")),
            ("Which is Minh's favourite animal?", .favorite(topic: "animal")),
            ("What is my favorite ice cream flavor?", .favorite(topic: "ice cream flavor")),
            ("What are my favorites?", .favorite(topic: nil)),
            ("What do I like?", .likes),
            ("what does she love", .likes),
            ("What don't I like?", .dislikes),
            ("What do I hate?", .dislikes),
            ("Tell me my preferences", .preferences),
            ("Màu yêu thích của em là gì?", .favorite(topic: "color")),
            ("Món ăn yêu thích của con là gì?", .favorite(topic: "food")),
            ("Em thích gì?", .likes),
            ("Sở thích của em là gì?", .likes),
            ("Em ghét gì?", .dislikes),
            // Not for L2: yes/no questions, statements, other questions.
            ("Do I like pizza?", nil),
            ("My favorite color is blue", nil),
            ("What is my dog's name?", nil),
            ("Em có con chó tên là gì?", nil),
        ]
        for (text, expected) in cases {
            #expect(PreferenceQuestion.classify(text) == expected, "\(text)")
        }
    }

    @Test func summariesAnswerFromTheirSlotsOnly() {
        let scope = MemoryScope(tenant: "t", userID: "u")
        func record(_ label: UInt64, _ text: String, _ attribute: String?, at time: Double) -> MemoryRecord {
            MemoryRecord(
                id: "id\(label)", label: label, scope: scope, text: text, attribute: attribute,
                createdAt: Date(timeIntervalSince1970: time), updatedAt: Date(timeIntervalSince1970: time))
        }
        let summary = FavoriteSummary(
            records: [
                record(1, "Favorite color is blue", "favorite_color", at: 1),
                record(2, "Favorite ice cream is vanilla", "favorite_ice_cream", at: 2),
                record(3, "Loves dinosaurs", "pref:dinosaurs", at: 3),
                record(4, "Dislikes broccoli", "pref:broccoli", at: 4),
                record(5, "Name is Minh", "name", at: 5),
                record(6, "Likes cats", "pref:cats", at: 6),
            ], version: "v1")
        #expect(summary.answer(.favorite(topic: "color"), limit: 10)?.map(\.record.text) == ["Favorite color is blue"])
        #expect(summary.answer(.favorite(topic: "colors"), limit: 10)?.map(\.record.text) == ["Favorite color is blue"])
        #expect(summary.answer(.favorite(topic: "ice cream flavor"), limit: 10)?.map(\.record.text) == ["Favorite ice cream is vanilla"])
        #expect(summary.answer(.favorite(topic: "animal"), limit: 10) == nil)
        #expect(
            summary.answer(.likes, limit: 10)?.map(\.record.text)
                == ["Favorite ice cream is vanilla", "Favorite color is blue", "Likes cats", "Loves dinosaurs"])
        #expect(summary.answer(.likes, limit: 2)?.count == 2)
        #expect(summary.answer(.dislikes, limit: 10)?.map(\.record.text) == ["Dislikes broccoli"])
        #expect(summary.answer(.preferences, limit: 10)?.count == 5)
        // The stored JSON round-trips, version included.
        let restored = FavoriteSummary(json: summary.json)
        #expect(restored == summary && restored?.version == "v1")
        #expect(FavoriteSummary(json: .object(["nonsense": .bool(true)])) == nil)
    }
}
