import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization

/// An in-process OpenAI-compatible `/v1/chat/completions` server that holds its first request open
/// until the test releases it (or a minute passes; then it answers 503), and answers every later
/// request with `facts`. It stands for an LLM that hangs in the middle of a worker's job.
enum HeldLLM {
    /// Runs `body` with the server's base URL and a count of the requests it received so far.
    static func run<T: Sendable>(
        facts: String, _ body: @Sendable (URL, @Sendable () -> Int) async throws -> T
    ) async throws -> T {
        let requests = Atomic<Int>(0)
        let released = Atomic<Bool>(false)
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let n = requests.add(1, ordering: .relaxed).newValue
            _ = try await request.body.collect(upTo: 1 << 20)
            if n == 1 {
                let deadline = ContinuousClock.now + .seconds(60)
                while !released.load(ordering: .relaxed) && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                return Response(status: .serviceUnavailable)
            }
            let content = String(decoding: try JSONEncoder().encode(facts), as: UTF8.self)
            let reply = #"{"choices":[{"message":{"role":"assistant","content":\#(content)}}]}"#
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: reply)))
        }
        var configuration = ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0))
        configuration.serverName = "held-llm"
        let app = Application(router: router, configuration: configuration)
        return try await app.test(.live) { client in
            // Released however `body` ends, so the server's shutdown does not wait on the held request.
            defer { released.store(true, ordering: .relaxed) }
            return try await body(URL(string: "http://127.0.0.1:\(client.port!)/v1")!, { requests.load(ordering: .relaxed) })
        }
    }
}
