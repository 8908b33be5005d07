/// One exercised service for every test that needs its routes or metrics (started on first use).
enum SharedService {
    /// The probe paths asked of the live service; every probe in deploy/ and the Dockerfile must be one.
    static let probePaths = ["/healthz", "/readyz", "/metrics"]

    /// The observation, shared.
    static let observation = Task { try await LiveService.observe(probePaths: probePaths) }
}
