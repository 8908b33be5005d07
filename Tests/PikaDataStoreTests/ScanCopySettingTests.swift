import Foundation
import PikaMemory
import Testing

@testable import PikaDataStore

/// `SegmentMemoryStore.open(…, scanCopies:)`: the service's `PIKA_SCAN_COPIES`.
@Suite("Segment memory store scan copies", .blockingWork)
struct ScanCopySettingTests {
    let scope = MemoryScope(tenant: "t", userID: "lan")
    let texts = (0..<200).map { "Lan remembers fact number \($0) about the garden and the river" }

    /// Adds `texts` to a fresh store opened with `scanCopies`, seals, and returns the sealed
    /// segments' total bytes and a search's answer after a restart with the same setting.
    func sealedBytesAndAnswer(scanCopies: Bool) async throws -> (bytes: Int, answer: [String]) {
        let directory = try await ServiceDirectory.make()
        let open = { (directory: ServiceDirectory) in
            try await SegmentMemoryStore.open(
                serviceDirectory: directory.path, database: directory.database, dimension: 64, scanCopies: scanCopies,
                logger: ServiceDirectory.logger)
        }
        do {
            let store = try await open(directory)
            let manager = try await directory.manager(store)
            let input = AddInput(messages: texts.map { ConversationMessage(role: "user", content: $0) }, infer: false)
            _ = try await manager.add(input, scope: scope)
            try await store.seal()
        }
        let reopened = try await directory.reopened()
        let store = try await open(reopened)
        let manager = try await reopened.manager(store)
        let answer = try await manager.search(SearchQuery(text: "fact number 17 about the river", scope: scope, limit: 5, mode: .vector))
            .results.map(\.record.text)
        let folder = directory.path + "/" + SegmentMemoryStore.folder
        let segments = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".pseg") }
        #expect(!segments.isEmpty)
        let bytes = try segments.reduce(0) { total, name in
            total + ((try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0)
        }
        return (bytes, answer)
    }

    @Test("on: sealed segments carry an int8 copy (a byte per dimension per row) and searches find what f32 rows find")
    func copiesOnAddBytesAndKeepAnswers() async throws {
        let without = try await sealedBytesAndAnswer(scanCopies: false)
        let with = try await sealedBytesAndAnswer(scanCopies: true)
        #expect(with.bytes - without.bytes >= texts.count * 64, "with \(with.bytes) B, without \(without.bytes) B")
        #expect(with.answer.count == 5)
        // The same five memories; rows that tie in f32 may swap by a rounding of the rescoring.
        #expect(Set(with.answer) == Set(without.answer))
        #expect(with.answer.first == texts[17])
    }
}
