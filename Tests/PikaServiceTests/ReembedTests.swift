import Foundation
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaRelational
import PikaService
import PikaStorage
import PikaTestSupport
import Synchronization
import Testing

/// Hashing at 64 dimensions that fails once it has embedded `limit` texts: a conversion cut off
/// mid-way, after some batches committed.
final class StoppingEmbedder: Embedder {
    let inner = try! HashingEmbedder(dimension: 64)
    let limit: Int
    let embedded = Mutex(0)
    init(limit: Int) { self.limit = limit }
    var name: String { inner.name }
    var dimension: Int { inner.dimension }
    func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        let done = embedded.withLock { value in
            value += texts.count
            return value
        }
        guard done <= limit else { throw EmbeddingError(.remoteTransport, "stopped after \(limit) texts") }
        return try await inner.embed(texts)
    }
}

/// `pika index reembed` on a real data directory: a conversion from hashing/384 to hashing/64,
/// interrupted and resumed, ends as one uninterrupted run does; the service refuses the directory
/// while it is half converted and searches it afterwards.
@Suite("Re-embedding a data directory", .blockingWork)
struct ReembedTests {
    let logger = Logger(label: "reembed-test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A data directory with memories of two users (one updated, one deleted), written by the service.
    func populated() async throws -> String {
        let directory = ServiceHarness.temporaryDirectory()
        try await ServiceHarness.run(dataDirectory: directory, workers: 0) { client in
            for user in ["lan", "minh"] {
                let messages = (0..<40).map { #"{"role":"user","content":"\#(user) note \#($0) about dinosaurs and cats \#($0 * 7)"}"# }
                let reply = try await client.call(
                    .post, "/v1/memories",
                    json: #"{"user_id":"\#(user)","messages":[\#(messages.joined(separator: ","))],"infer":false,"async":false}"#)
                #expect(reply.status == .ok, "\(reply.text)")
            }
            let list = try await client.call(.get, "/v1/memories?user_id=lan&limit=100")
            let ids = list.results.compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(try await client.call(.put, "/v1/memories/\(ids[0])", json: #"{"text":"Lan likes the zoo"}"#).status == .ok)
            #expect(try await client.call(.delete, "/v1/memories/\(ids[1])").status == .ok)
        }
        return directory
    }

    /// Every live record of the directory's store with its vector, by id.
    func contents(_ directory: String) throws -> [String: (StoredRecord, [Float])] {
        var options = OpenOptions()
        options.readOnly = true
        let store = try DataDirectory.open(at: directory + "/memories", options: options)
        var out: [String: (StoredRecord, [Float])] = [:]
        for tenant in UInt32(0)...8 {
            for (record, vector) in try store.entries(tenant: tenant) { out[record.id] = (record, vector) }
        }
        return out
    }

    func database(_ directory: String) throws -> SQLiteDatabase {
        try RelationalSchema.open(path: directory + "/pika.sqlite")
    }

    @Test("an interrupted conversion resumes to what one run gives; the service refuses it half done")
    func interruptedThenResumed() async throws {
        let directory = try await populated()
        let copy = directory + "-copy"
        try FileManager.default.copyItem(atPath: directory, toPath: copy)
        let before = try contents(directory)
        #expect(before.count == 79)

        // One run on the copy.
        let oneRun = try await Reembedding(directory: copy, target: "hashing-64", embedder: try HashingEmbedder(dimension: 64))
            .run(database: try database(copy), logger: logger)
        #expect(oneRun == Reembedding.Outcome(embedded: 79, resumed: 0))

        // Cut off after 30 texts (batches of 8: 24 committed), then resumed.
        var stopped = Reembedding(directory: directory, target: "hashing-64", embedder: StoppingEmbedder(limit: 30))
        stopped.batchSize = 8
        await #expect(throws: EmbeddingError.self) { try await stopped.run(database: try database(directory), logger: logger) }
        #expect(FileManager.default.fileExists(atPath: directory + "/" + Reembedding.folder))
        #expect(try contents(directory).values.allSatisfy { $0.1.count == 384 })  // the live store is untouched

        // Half converted: the service refuses to start and names the command that finishes it.
        do {
            _ = try await PikaServer.make(
                configuration: ServiceHarness.configuration(dataDirectory: directory), logger: logger,
                embedder: try HashingEmbedder(dimension: 64))
            Issue.record("the service started on a half-converted directory")
        } catch let error as ConfigurationError {
            #expect(error.description.contains("pika index reembed --data-dir \(directory) --embedder hashing-64"), "\(error)")
        }
        // A conversion to another embedder is refused while this one is pending.
        let other = Reembedding(directory: directory, target: "minilm", embedder: try HashingEmbedder(dimension: 32))
        await #expect(throws: MemoryError.self) { try await other.run(database: try database(directory), logger: logger) }

        let resumed = try await Reembedding(directory: directory, target: "hashing-64", embedder: try HashingEmbedder(dimension: 64))
            .run(database: try database(directory), logger: logger)
        #expect(resumed == Reembedding.Outcome(embedded: 79 - 24, resumed: 24))
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + Reembedding.folder))
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + Reembedding.oldFolder))

        // Same records (every payload field) and vectors as the uninterrupted run, new dimension.
        let after = try contents(directory)
        let reference = try contents(copy)
        #expect(after.count == 79 && Set(after.keys) == Set(before.keys))
        for (id, (record, vector)) in after {
            #expect(record == before[id]?.0)
            #expect(record == reference[id]?.0 && vector == reference[id]?.1)
            #expect(vector.count == 64)
        }
        let settings = SQLiteSettings(database: try database(directory))
        #expect(try await settings.value("embedder") == "hashing-v1/64")
        #expect(try await settings.value(Reembedding.markerKey) == nil)

        // The service starts with the new embedder, finds by the new vectors, and refuses the old one.
        try await ServiceHarness.run(dataDirectory: directory, workers: 0, embedder: try HashingEmbedder(dimension: 64)) { client in
            let found = try await client.call(
                .post, "/v1/memories/search", json: #"{"query":"Lan likes the zoo","user_id":"lan","mode":"vector"}"#)
            #expect(found.results.first?.objectValue?["memory"]?.stringValue == "Lan likes the zoo", "\(found.text)")
            let history = try await client.call(.get, "/v1/memories?user_id=minh&limit=100")
            #expect(history.results.count == 40)
        }
        await #expect(throws: ConfigurationError.self) {
            _ = try await PikaServer.make(
                configuration: ServiceHarness.configuration(dataDirectory: directory), logger: logger, embedder: try HashingEmbedder())
        }
    }

    @Test("a conversion stopped between its two renames finishes on the next run")
    func stoppedBetweenRenames() async throws {
        let directory = try await populated()
        let before = try contents(directory)
        var stopped = Reembedding(directory: directory, target: "hashing-64", embedder: StoppingEmbedder(limit: 20))
        stopped.batchSize = 16
        await #expect(throws: EmbeddingError.self) { try await stopped.run(database: try database(directory), logger: logger) }
        // As a crash right after the first rename leaves it: the live store moved aside, the new one not yet in place.
        try FileManager.default.moveItem(atPath: directory + "/memories", toPath: directory + "/" + Reembedding.oldFolder)
        let outcome = try await Reembedding(directory: directory, target: "hashing-64", embedder: try HashingEmbedder(dimension: 64))
            .run(database: try database(directory), logger: logger)
        #expect(outcome == Reembedding.Outcome(embedded: 79 - 16, resumed: 16))
        let after = try contents(directory)
        #expect(Set(after.keys) == Set(before.keys) && after.values.allSatisfy { $0.1.count == 64 })
        #expect(try await SQLiteSettings(database: try database(directory)).value(Reembedding.markerKey) == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + Reembedding.oldFolder))
    }

    @Test("pika index reembed refuses while pika serve runs, and converts once it is stopped")
    func refusedWhileServing() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let (added, reply) = try await server.request(
            "POST", "/v1/memories", body: #"{"user_id":"u1","messages":"Em thich meo","infer":false,"async":false}"#)
        #expect(added == 200, "\(reply)")
        func reembed() async throws -> (status: Int32, output: String) {
            let child = try ChildProcess(
                name: "reembed", executable: ServerProcess.executable.path,
                arguments: ["index", "reembed", "--data-dir", directory, "--embedder", "hashing"],
                environment: ["PATH": "/usr/bin:/bin"])
            try await child.waitForExit(within: .seconds(120))
            return (child.exitCode ?? -1, child.log)
        }
        let refused = try await reembed()
        #expect(refused.status == 1 && refused.output.contains("pika serve"), "\(refused.output)")
        #expect(try await SQLiteSettings(database: try database(directory)).value(Reembedding.markerKey) == nil)
        try await server.kill9AndWait()
        let converted = try await reembed()
        #expect(converted.status == 0 && converted.output.contains(#""embedded":1"#), "\(converted.output)")
    }
}
