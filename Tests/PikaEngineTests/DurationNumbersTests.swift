import PikaEngine
import Testing

/// The one conversion of `Duration` to plain numbers (`Duration+Numbers.swift`).
@Suite("Duration as numbers")
struct DurationNumbersTests {
    @Test("fractional seconds and milliseconds keep the sub-second part")
    func fractional() {
        let d = Duration.seconds(2) + .milliseconds(250) + .microseconds(500)
        #expect(d.inSeconds == 2.2505)
        #expect(d.inMilliseconds == 2250.5)
        #expect(Duration.zero.inSeconds == 0 && Duration.milliseconds(-1500).inSeconds == -1.5)
        #expect(Duration.nanoseconds(-1_500).inMilliseconds == -0.0015)
        #expect((Duration.seconds(-7) - .microseconds(250)).inMilliseconds == -7000.25)
        let year = Duration.seconds(31_536_000) + .nanoseconds(1)
        #expect(year.inSeconds == 31_536_000.000000001 && year.inMilliseconds == 31_536_000_000.000001)
    }

    @Test("whole units truncate toward zero and saturate instead of trapping")
    func whole() {
        let d = Duration.seconds(3) + .nanoseconds(999_999_999)
        #expect(d.wholeMilliseconds == 3_999 && d.wholeMicroseconds == 3_999_999 && d.wholeNanoseconds == 3_999_999_999)
        let negative = Duration.milliseconds(-1) - .nanoseconds(500)
        #expect(negative.wholeMilliseconds == -1 && negative.wholeMicroseconds == -1_000 && negative.wholeNanoseconds == -1_000_500)
        let huge = Duration.seconds(Int64.max)
        #expect(huge.wholeNanoseconds == .max && huge.wholeMicroseconds == .max && huge.wholeMilliseconds == .max)
        #expect((.zero - huge).wholeNanoseconds == .min)
    }
}
