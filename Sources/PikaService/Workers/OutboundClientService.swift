import Logging
import PikaEmbeddings
import ServiceLifecycle

/// The owner of the service's ``OutboundHTTPClient`` (its remote embedder's and LLM extractor's):
/// idle until graceful shutdown, then it shuts the client down. ``PikaServer`` lists it before the
/// job workers, and a service group stops its services in reverse order, so no job or search loses
/// its client in the middle of a call.
struct OutboundClientService: Service {
    let client: OutboundHTTPClient
    let logger: Logger

    func run() async throws {
        // Returns at graceful shutdown, or at once when the group is cancelled: both end the client.
        try? await gracefulShutdown()
        do {
            try await client.shutdown()
        } catch {
            logger.warning("the providers' HTTP client did not shut down cleanly", metadata: ["error": "\(error)"])
        }
    }
}
