import ServiceLifecycle

/// Runs `pass` every `interval` (the first after one interval, or at once with `immediately`) until
/// graceful shutdown or cancellation; a pass that throws is handed to `failed` and the next one runs.
func periodically(
    every interval: Duration, immediately: Bool = false, _ pass: @escaping @Sendable () async throws -> Void,
    failed: @escaping @Sendable (any Error) -> Void
) async {
    await cancelWhenGracefulShutdown {
        var first = true
        while !Task.isCancelled {
            if !(first && immediately) {
                do { try await Task.sleep(for: interval) } catch { return }
            }
            first = false
            do { try await pass() } catch { failed(error) }
        }
    }
}
