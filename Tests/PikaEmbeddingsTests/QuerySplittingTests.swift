import Foundation
import PikaTestSupport
import Testing

@testable import PikaEmbeddings

@Suite("Splitting a short input's products between two cores", .blockingWork)
struct QuerySplittingTests {
    @Test("PIKA_EMBEDDING_SPLIT: unset or empty is on, on and off parse, others are refused by name")
    func parsing() throws {
        #expect(try QuerySplitting.resolve(environment: [:]) == .on)
        #expect(try QuerySplitting.resolve(environment: ["PIKA_EMBEDDING_SPLIT": ""]) == .on)
        #expect(try QuerySplitting.resolve(environment: ["PIKA_EMBEDDING_SPLIT": "on"]) == .on)
        #expect(try QuerySplitting.resolve(environment: ["PIKA_EMBEDDING_SPLIT": "off"]) == .off)
        do {
            _ = try QuerySplitting.resolve(environment: ["PIKA_EMBEDDING_SPLIT": "yes"])
            Issue.record("yes was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("PIKA_EMBEDDING_SPLIT=yes"))
        }
    }

    /// Row counts on both sides of ``EncoderTeam/maxRows``: single texts of 2 to 64 tokens and a
    /// batch of them (split), and the fixtures batched (well over 64 rows: alone on both).
    @Test("split and single-thread passes give the same vectors bit for bit", arguments: EmbeddingPrecision.allCases)
    func sameVectors(precision: EmbeddingPrecision) throws {
        let base = try SharedModel.embedder()
        var options = MiniLMEmbedder.Options()
        options.precision = precision
        options.splitting = .on
        let split = try MiniLMEmbedder(directory: base.directory, options: options)
        options.splitting = .off
        let alone = try MiniLMEmbedder(directory: base.directory, options: options)
        #expect(!alone.splitsShortInputs)
        // A team exists exactly where the process may use two CPUs or more (as a fresh team tells).
        #expect(split.splitsShortInputs == Self.twoCPUs)

        let fixtures = try ReferenceFixtures.load().sentences.map(\.text)
        let words = "my daughter loves dinosaurs and drawing pictures of the ocean with her grandmother"
            .split(separator: " ")
        var texts = fixtures
        for length in [1, 4, 9, 13, 30, 62] {  // 3 to 64 tokens with [CLS] and [SEP]
            texts.append((0..<length).map { String(words[$0 % words.count]) }.joined(separator: " "))
        }
        let tokens = texts.map { alone.tokenizer.encode($0).ids.count }
        #expect(tokens.contains { $0 <= 6 } && tokens.contains { $0 > 6 && $0 <= 40 })
        #expect(tokens.contains { $0 > 40 && $0 <= EncoderTeam.maxRows } && tokens.contains { $0 > EncoderTeam.maxRows })
        // Repeated, so that the worker, woken by the first pass, takes part in later ones.
        for _ in 0..<3 {
            for (text, count) in zip(texts, tokens) {
                #expect(split.encode([text])[0].vector == alone.encode([text])[0].vector, "\(count) tokens")
            }
        }
        #expect(split.encode(Array(texts.prefix(3))).map(\.vector) == alone.encode(Array(texts.prefix(3))).map(\.vector))
        #expect(split.encode(texts).map(\.vector) == alone.encode(texts).map(\.vector))
        if split.splitsShortInputs {
            #expect(split.splitWorkerChunks > 0, "the second thread never computed a chunk")
        }
        #expect(alone.splitWorkerChunks == 0)
    }

    /// Whether this process may use two CPUs (a team can start): on one CPU the team tests are
    /// reported as skipped, not passed.
    static let twoCPUs = EncoderTeam() != nil

    @Test("a pass splits only while it is the encoder's only pass in flight", .enabled(if: twoCPUs, "needs two CPUs"))
    func onlyAlone() throws {
        let team = try #require(EncoderTeam())
        team.beginPass()
        #expect(team.ifAlone === team)
        team.beginPass()  // a concurrent pass: the other core is taken
        #expect(team.ifAlone == nil)
        team.endPass()
        #expect(team.ifAlone === team)
        team.endPass()
    }

    @Test("the worker thread is named, and stopped and joined when its team goes away", .enabled(if: twoCPUs, "needs two CPUs"))
    func workerStops() throws {
        var task = ""
        do {
            let team = try #require(EncoderTeam())
            task = "/proc/self/task/\(team.workerID)"
            #expect(FileManager.default.fileExists(atPath: task))
            #expect((try? String(contentsOfFile: task + "/comm", encoding: .utf8))?.hasPrefix("pika-embed") == true)
        }
        // Joined: the thread has exited (the kernel drops its /proc entry a moment after the join).
        var waits = 0
        while FileManager.default.fileExists(atPath: task), waits < 1000 {
            usleep(1000)
            waits += 1
        }
        #expect(!FileManager.default.fileExists(atPath: task))
    }
}
