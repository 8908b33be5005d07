import Foundation

/// The `p` quantile (0...1) of `values` by the nearest-rank rule on the sorted list; 0 when empty.
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))]
}

/// `value` rounded to `places` decimal places (for JSON output).
func rounded(_ value: Double, places: Int) -> Double {
    let scale = pow(10, Double(places))
    return (value * scale).rounded() / scale
}
