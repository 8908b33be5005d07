import Foundation
import Testing

@Suite("pika refuses unknown embedding settings before any command")
struct EmbeddingSettingsTests {
    @Test(
        "an unknown PIKA_EMBEDDING_PRECISION or PIKA_EMBEDDING_SPLIT exits 2 naming the value; known ones run",
        arguments: [("PIKA_EMBEDDING_PRECISION", "bf16", "int8"), ("PIKA_EMBEDDING_SPLIT", "sometimes", "off")])
    func refused(variable: String, bad: String, good: String) throws {
        let refused = try PikaProcess.run(["--version"], environment: [variable: bad])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("\(variable)=\(bad)"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        let accepted = try PikaProcess.run(["--version"], environment: [variable: good])
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}
