import Foundation
import Synchronization

/// Token buckets per API key: `rate` requests per second, bursts up to twice that.
final class RateLimiter: Sendable {
    private let buckets = Mutex<[String: (tokens: Double, at: Double)]>([:])
    let rate: Double
    let burst: Double

    init(rate: Double) {
        self.rate = rate
        self.burst = max(1, rate * 2)
    }

    /// Takes a token for `key`; nil when allowed, else the seconds until one is available.
    func take(_ key: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        buckets.withLock { buckets in
            var bucket = buckets[key] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                buckets[key] = bucket
                return nil
            }
            buckets[key] = bucket
            return (1 - bucket.tokens) / rate
        }
    }
}
