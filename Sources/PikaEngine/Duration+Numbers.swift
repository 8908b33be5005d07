/// A `Duration` as the plain numbers that C calls, SQL, metrics and logs take.
///
/// Every conversion goes through the duration's exact attosecond count, so no caller rebuilds it
/// from `components` (whose two halves are easy to combine in the wrong unit). Fractional values
/// are `Double`; whole values truncate toward zero and clamp to `Int64` (a duration of more than
/// 292 years in nanoseconds saturates rather than traps).
extension Duration {
    /// The duration in seconds, with its fraction.
    public var inSeconds: Double { Double(attoseconds) / 1e18 }

    /// The duration in milliseconds, with its fraction (latency histograms and request logs).
    public var inMilliseconds: Double { Double(attoseconds) / 1e15 }

    /// Whole milliseconds, truncated toward zero.
    public var wholeMilliseconds: Int64 { Int64(clamping: attoseconds / 1_000_000_000_000_000) }

    /// Whole microseconds, truncated toward zero.
    public var wholeMicroseconds: Int64 { Int64(clamping: attoseconds / 1_000_000_000_000) }

    /// Whole nanoseconds, truncated toward zero.
    public var wholeNanoseconds: Int64 { Int64(clamping: attoseconds / 1_000_000_000) }
}
