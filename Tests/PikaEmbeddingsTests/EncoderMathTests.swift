import Foundation
import Testing

@testable import PikaEmbeddings

@Suite("Encoder arithmetic")
struct EncoderMathTests {
    @Test("the vectorised erf stays within 5e-7 of libm's on [-6, 6]")
    func erfAccuracy() {
        var worst: Float = 0
        for step in stride(from: -6000, through: 6000, by: 8) {
            let lanes = SIMD8<Float>((0..<8).map { Float(step + $0) / 1000 })
            let approximate = MiniLMEncoder.erf(lanes)
            for lane in 0..<8 { worst = max(worst, abs(approximate[lane] - erff(lanes[lane]))) }
        }
        #expect(worst < 5e-7)
    }
}
