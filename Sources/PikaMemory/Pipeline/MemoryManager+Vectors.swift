import PikaEngine

extension MemoryManager {
    /// Adds committed records' vectors to the in-memory index (nothing to do over a searching
    /// store, which committed them with the records). `vectors` holds one vector per label, back to back.
    func indexAdd(labels: [UInt64], tenant: UInt32, vectors: [Float]) throws {
        guard searchingStore == nil, !labels.isEmpty else { return }
        if labels.count == 1 {
            try index.add(label: labels[0], tenant: tenant, vector: vectors)
        } else {
            try index.add(labels: labels, tenants: Array(repeating: tenant, count: labels.count), vectors: vectors, threads: 1)
        }
    }

    /// Replaces a committed record's vector in the in-memory index (see ``indexAdd(labels:tenant:vectors:)``).
    func indexUpdate(label: UInt64, tenant: UInt32, vector: [Float]) throws {
        guard searchingStore == nil else { return }
        try index.update(label: label, tenant: tenant, vector: vector)
    }

    /// Drops deleted records from the in-memory index. A label the index does not hold is already
    /// gone (the store's delete is what counts; searches map hits through the store), so it is
    /// only logged, never an error for the request whose delete committed.
    func indexRemove(labels: [UInt64]) {
        guard searchingStore == nil else { return }
        for label in labels {
            do {
                try index.remove(label: label)
            } catch {
                logger.warning("index had no entry for a deleted memory", metadata: ["label": "\(label)", "error": "\(error)"])
            }
        }
    }

    /// Live memories of every user (the searching store's count, else the in-memory index's).
    public var memoryCount: Int {
        searchingStore?.liveCount ?? index.liveCount
    }

    /// Milliseconds since `start`, for latency histograms.
    func milliseconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inMilliseconds
    }
}
