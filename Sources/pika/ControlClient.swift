import Foundation
import PikaService

/// Asks the `pika serve` that owns a data directory to do maintenance work for the CLI, through
/// the directory's control channel (``ControlChannel``): the service holds the directory's lock,
/// so snapshot, compact, rebuild and import run inside it, beside its reads and writes.
enum ControlClient {
    /// How long the CLI waits for the service's answer: a rebuild of a large store takes minutes.
    static let timeout = Duration.seconds(3_600)

    /// Posts `body` to `path` (`/internal/v1/…`) of the service owning `directory` and returns its
    /// JSON answer; nil when no service answers there: the directory has no control channel, or
    /// nothing listens at its address (the service has stopped; `control.json` outlives it). The
    /// caller then works on the directory itself, whose lock refuses it if a service does hold it.
    ///
    /// A refusal, or no answer within ``timeout``, exits 1 with a message saying which.
    static func post(directory: String, path: String, body: String) async throws -> String? {
        guard let channel = ControlChannel.read(in: directory) else { return nil }
        let action = path.split(separator: "?").first.map(String.init) ?? path
        do throws(ControlChannel.RequestError) {
            return String(decoding: try await channel.post(path, body: Data(body.utf8), timeout: timeout), as: UTF8.self)
        } catch {
            switch error {
            case .unreachable: return nil
            case .timedOut(let limit):
                throw fail("the pika serve at \(channel.url) (pid \(channel.pid)) did not answer \(action) within \(limit)", status: 1)
            case .cancelled: throw CancellationError()
            case .refused(let status, let code, let detail):
                throw fail("the running pika serve refused \(action) (\(status)\(code.map { " " + $0 } ?? "")): \(detail)", status: 1)
            }
        }
    }
}
