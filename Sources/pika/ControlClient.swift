import Foundation
import PikaService

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Asks the `pika serve` that owns a data directory to do maintenance work for the CLI, through
/// the directory's control channel (``ControlChannel``): the service holds the directory's lock,
/// so snapshot, compact and rebuild run inside it, beside its reads and writes.
enum ControlClient {
    /// Posts `body` to `path` (`/internal/v1/…`) of the service owning `directory`; returns its
    /// JSON answer, or nil when no service answers there (none runs: the caller works on the
    /// directory itself). A refusal exits 1 with the service's message.
    static func post(directory: String, path: String, body: String) async throws -> String? {
        guard let channel = ControlChannel.read(in: directory), let url = URL(string: channel.url + path) else { return nil }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(channel.key, forHTTPHeaderField: ControlChannel.header)
        request.httpBody = Data(body.utf8)
        request.timeoutInterval = 3_600
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw fail("the running service refused: \(text)", status: 1)
        }
        return text
    }
}
