import PikaEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension MappedFile {
    /// Maps a model file read-only. Throws ``EmbeddingError/Code/modelNotFound`` if it does not
    /// exist and ``EmbeddingError/Code/modelInvalid`` if it is empty or cannot be mapped.
    convenience init(path: String) throws(EmbeddingError) {
        try self.init(path: path) { failure in
            EmbeddingError(
                failure.call == "open" && failure.number == ENOENT ? .modelNotFound : .modelInvalid,
                "cannot \(failure.call) \(failure.path): \(failure.reason)")
        }
        guard count > 0 else { throw EmbeddingError(.modelInvalid, "\(path) is empty") }
    }
}
