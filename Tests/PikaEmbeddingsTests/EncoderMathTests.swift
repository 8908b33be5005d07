import Foundation
import Testing

@testable import PikaEmbeddings

@Suite("Encoder arithmetic")
struct EncoderMathTests {
    @Test("the polynomial erf stays within 5e-7 of libm's on [-6, 6]")
    func erfAccuracy() {
        var worst: Float = 0
        for step in -6000...6000 {
            let x = Float(step) / 1000
            worst = max(worst, abs(MiniLMEncoder.erf(x) - erff(x)))
        }
        #expect(worst < 5e-7)
    }
}
