import Foundation
import Testing

@testable import PikaEmbeddings

@Suite("Encoder arithmetic")
struct EncoderMathTests {
    @Test("GELU with the rational erf stays within 1e-6 (relative) of x·Φ(x) with libm's erf on [-6, 6]")
    func geluAccuracy() {
        var x = (-6000...6000).map { Float($0) / 1000 }
        let inputs = x
        x.withUnsafeMutableBufferPointer { EncoderKernels.gelu($0.baseAddress!, count: $0.count) }
        var worst: Double = 0
        for (input, output) in zip(inputs, x) {
            let v = Double(input)
            let want = 0.5 * v * (1 + erf(v / 2.0.squareRoot()))
            worst = max(worst, abs(Double(output) - want) / (1 + abs(want)))
        }
        #expect(worst < 1e-6)
    }
}
