import Synchronization

/// BM25 indexes for every user (tenant), safe to share between threads.
///
/// Each tenant has its own ``BM25Index``, so collection statistics (document count, average
/// length, document frequencies) are per user, exactly like the per-user vector search. Writes
/// for one label replace the previous text; ``remove(_:)`` finds the label's tenant itself.
public final class KeywordIndex: Sendable {
    private struct State: Sendable {
        var tenants: [UInt32: BM25Index] = [:]
        var tenantOf: [UInt64: UInt32] = [:]
    }

    private let state: Mutex<State>
    /// Scoring parameters of every tenant's index.
    public let parameters: BM25Parameters
    /// The tokeniser of every tenant's index.
    public let tokenizer: TextTokenizer

    /// Creates an empty index.
    public init(parameters: BM25Parameters = BM25Parameters(), tokenizer: TextTokenizer = TextTokenizer()) {
        self.parameters = parameters
        self.tokenizer = tokenizer
        self.state = Mutex(State())
    }

    /// Indexes `text` under `label` for `tenant`, replacing the label's previous text (in any tenant).
    public func add(_ label: UInt64, tenant: UInt32 = 0, text: String) {
        add([(label, tenant, text)])
    }

    /// Indexes many documents under one lock; tokenising happens outside it.
    public func add(_ documents: [(label: UInt64, tenant: UInt32, text: String)]) {
        state.withLock { state in
            for document in documents {
                if let previous = state.tenantOf[document.label] {
                    state.tenants[previous]?.remove(document.label)
                }
                state.tenants[document.tenant, default: BM25Index(parameters: parameters, tokenizer: tokenizer)]
                    .add(document.label, text: document.text)
                state.tenantOf[document.label] = document.tenant
            }
        }
    }

    /// Removes `label`; returns whether it was indexed.
    @discardableResult
    public func remove(_ label: UInt64) -> Bool {
        state.withLock { state in
            guard let tenant = state.tenantOf.removeValue(forKey: label) else { return false }
            state.tenants[tenant]?.remove(label)
            if state.tenants[tenant]?.count == 0 { state.tenants[tenant] = nil }
            return true
        }
    }

    /// Removes every document of `tenant`.
    public func removeAll(tenant: UInt32) {
        state.withLock { state in
            state.tenants[tenant] = nil
            state.tenantOf = state.tenantOf.filter { $0.value != tenant }
        }
    }

    /// Whether `label` is indexed.
    public func contains(_ label: UInt64) -> Bool { state.withLock { $0.tenantOf[label] != nil } }

    /// The number of documents of `tenant`, or of all tenants when nil.
    public func count(tenant: UInt32? = nil) -> Int {
        state.withLock { state in
            guard let tenant else { return state.tenantOf.count }
            return state.tenants[tenant]?.count ?? 0
        }
    }

    /// The `k` best BM25 matches for `query` within `tenant`, best first.
    ///
    /// The tenant's index is copied out of the lock (copy-on-write makes that O(1)), so long
    /// searches do not block writers.
    public func search(_ query: String, tenant: UInt32 = 0, k: Int) -> [RankedHit] {
        let index = state.withLock { $0.tenants[tenant] }
        return index?.search(query, k: k) ?? []
    }
}
