/// The release of Pika Memory: `pika --version` prints it; docs/openapi.yaml's `info.version` matches it.
public enum PikaVersion {
    /// The version string, e.g. `0.1.0`.
    public static let current = "0.1.0"
}
