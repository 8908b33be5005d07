import Foundation

/// Token buckets per API key: `rate` requests per second, bursts up to twice that.
///
/// `@unchecked Sendable` is safe: `buckets` is read and written only while `lock` is held.
final class RateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    let rate: Double
    let burst: Double

    init(rate: Double) {
        self.rate = rate
        self.burst = max(1, rate * 2)
    }

    /// Takes a token for `key`; nil when allowed, else the seconds until one is available.
    func take(_ key: String, now: Double = Date().timeIntervalSince1970) -> Double? {
        lock.lock()
        defer { lock.unlock() }
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
