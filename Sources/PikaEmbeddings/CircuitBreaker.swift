/// A circuit breaker for calls to a remote service.
///
/// Closed: calls go through; `failureThreshold` consecutive failures open it. Open: calls fail at
/// once with ``EmbeddingError/Code/circuitOpen`` for `openDuration`. Then half-open: one trial call
/// goes through; its success closes the breaker, its failure opens it again.
public actor CircuitBreaker {
    /// The breaker's state, for metrics and health checks.
    public enum State: Sendable, Equatable {
        /// Calls go through; the count of consecutive failures so far.
        case closed(failures: Int)
        /// Calls are refused until the instant given.
        case open(until: ContinuousClock.Instant)
        /// One trial call is in flight; others are refused until it finishes.
        case halfOpen
    }

    /// The current state.
    public private(set) var state: State = .closed(failures: 0)
    private let failureThreshold: Int
    private let openDuration: Duration
    private let clock = ContinuousClock()

    /// Creates a closed breaker.
    ///
    /// - Parameters:
    ///   - failureThreshold: consecutive failures that open the breaker (at least 1).
    ///   - openDuration: how long it stays open before allowing a trial call.
    public init(failureThreshold: Int, openDuration: Duration) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
    }

    /// Asks to make a call; throws ``EmbeddingError/Code/circuitOpen`` if the breaker refuses.
    ///
    /// - Parameter service: named in the error message.
    public func acquire(service: String) throws(EmbeddingError) {
        switch state {
        case .closed:
            return
        case .open(let until) where clock.now >= until:
            state = .halfOpen
        case .open(let until):
            let left = until - clock.now
            throw EmbeddingError(.circuitOpen, "\(service) is failing; circuit breaker open for another \(left)")
        case .halfOpen:
            throw EmbeddingError(.circuitOpen, "\(service) is failing; circuit breaker is waiting on a trial call")
        }
    }

    /// Records the outcome of a call allowed by ``acquire(service:)``.
    public func record(success: Bool) {
        if success {
            state = .closed(failures: 0)
            return
        }
        switch state {
        case .closed(let failures) where failures + 1 < failureThreshold:
            state = .closed(failures: failures + 1)
        case .closed, .halfOpen, .open:
            state = .open(until: clock.now + openDuration)
        }
    }
}
