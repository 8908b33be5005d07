import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService
import Synchronization
import Testing

/// An in-process OpenAI-compatible `/v1/chat/completions` server whose behaviour a test scripts.
struct FakeLLM {
    enum Behaviour: Sendable {
        case facts(String)
        case status(Int)
        case stall
        case garbage
        /// Answer with this message content, chosen from the request body.
        case content(@Sendable (String) -> String)
    }

    /// Runs `body` with the base URL of a fake server answering request n with `script(n)`.
    static func run<T: Sendable>(
        _ script: @escaping @Sendable (Int) -> Behaviour, _ body: @Sendable (URL, @Sendable () -> Int) async throws -> T
    ) async throws -> T {
        let counter = Atomic<Int>(0)
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let n = counter.add(1, ordering: .relaxed).newValue - 1
            let requestBody = String(buffer: try await request.body.collect(upTo: 1 << 20))
            var behaviour = script(n)
            if case .content(let answer) = behaviour { behaviour = .facts(answer(requestBody)) }
            switch behaviour {
            case .content: return Response(status: .internalServerError)
            case .facts(let json):
                let content = try JSONEncoder().encode(json)
                let body = #"{"choices":[{"message":{"role":"assistant","content":\#(String(decoding: content, as: UTF8.self))}}]}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            case .status(let code):
                return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "{}")))
            case .stall:
                try await Task.sleep(for: .seconds(3))
                return Response(status: .ok)
            case .garbage:
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "<html>")))
            }
        }
        var configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        configuration.serverName = "fake-llm"
        let app = Application(router: router, configuration: configuration)
        return try await app.test(.live) { client in
            let url = URL(string: "http://127.0.0.1:\(client.port!)/v1")!
            return try await body(url, { counter.load(ordering: .relaxed) })
        }
    }
}

@Suite("LLM extractor against an in-process OpenAI-compatible server")
struct LLMExtractorTests {
    static let answer =
        #"{"facts":[{"text":"Loves dinosaurs","attribute":"pref:dinosaurs","sources":[0],"entities":[{"name":"dinosaurs","type":"thing"}],"relations":[{"source":"user","relation":"loves","target":"dinosaurs"}]}]}"#

    func configuration(_ url: URL) -> LLMExtractorConfiguration {
        var configuration = LLMExtractorConfiguration(baseURL: url, model: "test-model")
        configuration.requestTimeout = .milliseconds(500)
        configuration.initialBackoff = .milliseconds(10)
        configuration.failureThreshold = 2
        configuration.openDuration = .seconds(30)
        return configuration
    }

    @Test func extractsAndRetriesServerErrors() async throws {
        try await FakeLLM.run({ n in n < 2 ? .status(503) : .facts(Self.answer) }) { url, requests in
            let extractor = LLMExtractor(configuration: configuration(url))
            let facts = try await extractor.extract([
                ConversationMessage(
                    role: "user", content: "I love dinosaurs",
                    metadata: ["dia_id": .string("D1:1")])
            ])
            #expect(facts.map(\.text) == ["Loves dinosaurs"])
            #expect(facts.first?.provenance == ["D1:1"])
            #expect(requests() == 3)
        }
    }

    @Test func bothKindsWithSpeakerAndTimeInThePrompt() async throws {
        let answer =
            #"{"facts":[{"kind":"event","text":"Ana went camping on 7 May 2023.","occurred_at":"2023-05-07","sources":[1]},{"kind":"event","text":"Ana baked bread.","sources":[1]},{"kind":"fact","text":"Has a dog named Rex","attribute":"pet_name:rex","sources":[0]},{"kind":"event","text":"Ana will travel.","occurred_at":"2030-01-01","sources":[2]}]}"#
        let said = Date(timeIntervalSince1970: 1_683_554_160)  // 2023-05-08T13:56:00Z
        final class Prompt: Sendable { let text = Mutex("") }
        let prompt = Prompt()
        try await FakeLLM.run({ _ in
            .content { body in
                prompt.text.withLock { $0 = body }
                return answer
            }
        }) { url, _ in
            let extractor = LLMExtractor(configuration: configuration(url))
            let facts = try await extractor.extract([
                ConversationMessage(role: "user", content: "I have a dog named Rex.", name: "Ana", timestamp: said),
                ConversationMessage(role: "user", content: "We went camping yesterday and I baked bread.", name: "Ana", timestamp: said),
            ])
            #expect(facts.map(\.kind) == [.event, .event, .fact, .event])
            #expect(facts[0].occurredAt == Date(timeIntervalSince1970: 1_683_417_600))  // the model's day
            #expect(facts[1].occurredAt == Date(timeIntervalSince1970: 1_683_504_000))  // the day it was said
            #expect(facts[2].occurredAt == nil && facts[2].attribute == "@ana|pet_name:rex")  // Ana's slot
            #expect(facts[2].text == "Ana has a dog named Rex")
            #expect(facts[3].provenance.isEmpty)  // source 2 names no message
            #expect(prompt.text.withLock { $0 }.contains("[1] user (Ana, 2023-05-08T13:56:00.000Z): We went camping"))
        }
        // Without a message time no date is kept, whatever the model says.
        try await FakeLLM.run({ _ in .facts(answer) }) { url, _ in
            let facts = try await LLMExtractor(configuration: configuration(url)).extract([
                ConversationMessage(role: "user", content: "I have a dog named Rex."),
                ConversationMessage(role: "user", content: "We went camping yesterday."),
            ])
            #expect(facts.allSatisfy { $0.occurredAt == nil })
        }
    }

    @Test func timeoutsAndGarbageFailThenTheBreakerOpens() async throws {
        try await FakeLLM.run({ n in n == 0 ? .stall : .garbage }) { url, requests in
            var settings = configuration(url)
            settings.maxAttempts = 1
            let extractor = LLMExtractor(configuration: settings)
            // The stalled request ends by our deadline (0.5 s), not by the server's answer at 3 s:
            // the error says so (a wall-clock bound would flake on a loaded machine).
            let stalled = await #expect(throws: MemoryError.self) {
                try await extractor.extract([ConversationMessage(role: "user", content: "x")])
            }
            #expect(stalled?.message.contains("timed out after") == true, "\(String(describing: stalled))")
            await #expect(throws: MemoryError.self) { try await extractor.extract([ConversationMessage(role: "user", content: "x")]) }
            let before = requests()
            do {
                _ = try await extractor.extract([ConversationMessage(role: "user", content: "x")])
                Issue.record("the breaker should be open")
            } catch {
                #expect((error as? MemoryError)?.code == .unavailable)
            }
            #expect(requests() == before)  // open breaker: no call made
        }
    }

    @Test func serviceUsesTheLLMExtractorForJobs() async throws {
        try await FakeLLM.run({ _ in .facts(Self.answer) }) { url, _ in
            let extractor = LLMExtractor(configuration: configuration(url))
            try await ServiceHarness.run(extractor: extractor) { client in
                let accepted = try await client.call(
                    .post, "/extract_facts", json: #"{"messages":"I really love dinosaurs","user_id":"u1"}"#)
                let job = try await client.waitForJob(try #require(accepted["job_id"]?.stringValue))
                #expect(job["status"]?.stringValue == "completed")
                let search = try await client.call(.post, "/search_facts", json: #"{"query":"dinosaurs","user_id":"u1"}"#)
                #expect(search.results.first?["memory"]?.stringValue == "Loves dinosaurs")
            }
        }
    }

    @Test("PIKA_EXTRACTOR=llm: the service calls the model through a client of its own, shut down when it stops")
    func configuredServiceOwnsItsProviderClient() async throws {
        try await FakeLLM.run({ _ in .facts(Self.answer) }) { url, requests in
            var configuration = ServiceHarness.configuration()
            configuration.extractor = .llm
            configuration.llmBaseURL = url.absoluteString
            configuration.llmModel = "test-model"
            var logger = Logger(label: "pika-test")
            logger.logLevel = .warning
            let server = try await PikaServer.make(configuration: configuration, logger: logger, embedder: try HashingEmbedder())
            let client = try #require(server.providerClient)
            try await server.application.test(.live) { service in
                let reply = try await service.call(
                    .post, "/v1/memories", json: #"{"messages":"I love dinosaurs","user_id":"u1","async":false}"#)
                #expect(reply.results.first?["memory"]?.stringValue == "Loves dinosaurs", "\(reply.text)")
            }
            #expect(requests() == 1)
            // The application has stopped, and its client with it: a request through it is refused.
            let refused = await #expect(throws: ProviderHTTPError.self) {
                try await client.postJSON(url, body: Data(), bearer: nil, timeout: .seconds(5))
            }
            guard case .transport(_)? = refused else {
                Issue.record("expected a transport error from a shut-down client, got \(String(describing: refused))")
                return
            }
            #expect(requests() == 1)
        }
    }

    @Test func theLLMDecidesConsolidationWhenConfigured() async throws {
        let second = #"{"facts":[{"text":"Loves dinosaurs, most of all the T-rex","sources":[0]}]}"#
        try await FakeLLM.run({ n in
            .content { body in
                if body.contains("NEW:") { return #"{"event":"UPDATE","index":0}"# }
                return n == 0 ? Self.answer : second
            }
        }) { url, _ in
            let extractor = LLMExtractor(configuration: configuration(url))
            try await ServiceHarness.run(extractor: extractor) { client in
                for text in ["I love dinosaurs", "I love dinosaurs, the T-rex most"] {
                    let reply = try await client.call(.post, "/v1/memories", json: #"{"messages":"\#(text)","user_id":"u1","async":false}"#)
                    #expect(reply.status == .ok, "\(reply.text)")
                }
                let list = try await client.call(.get, "/v1/memories?user_id=u1")
                #expect(list.results.map { $0["memory"]?.stringValue } == ["Loves dinosaurs, most of all the T-rex"])
                let id = try #require(list.results.first?["id"]?.stringValue)
                let history = try await client.call(.get, "/v1/memories/\(id)/history")
                #expect(history.results.map { $0["event"]?.stringValue } == ["ADD", "UPDATE"])
            }
        }
    }

    @Test func failingLLMDeadLettersTheJobWithItsError() async throws {
        try await FakeLLM.run({ _ in .status(500) }) { url, _ in
            var settings = configuration(url)
            settings.maxAttempts = 1
            settings.failureThreshold = 100
            let extractor = LLMExtractor(configuration: settings)
            try await ServiceHarness.run(extractor: extractor) { client in
                let accepted = try await client.call(.post, "/extract_facts", json: #"{"messages":"I love dinosaurs","user_id":"u1"}"#)
                let id = try #require(accepted["job_id"]?.stringValue)
                let job = try await client.waitForJobWithRetries(id)
                #expect(job["status"]?.stringValue == "failed")
                #expect(job["error"]?.stringValue?.contains("HTTP 500") == true)
                #expect(job["attempts"]?.numberValue == 5)
            }
        }
    }
}

extension TestClientProtocol {
    /// Polls longer: retries back off (0.2 s, 0.4 s, 0.8 s, 1.6 s before the fifth attempt).
    func waitForJobWithRetries(_ id: String) async throws -> Reply {
        for _ in 0..<100 {
            let reply = try await call(.get, "/v1/jobs/\(id)")
            if reply["status"]?.stringValue == "failed" || reply["status"]?.stringValue == "completed" { return reply }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }
}
