import Testing

@testable import PikaEmbeddings

/// The forward pass's reusable buffers: whatever order passes of different shapes come in, a pass
/// that skips growing them finds room for its rows and its longest sequence.
@Suite("Encoder workspace")
struct EncoderWorkspaceTests {
    let configuration = MiniLMConfiguration()

    func required(longest: Int) -> Int {
        EncoderKernels.attentionScratch(longest: longest, headWidth: configuration.hiddenSize / configuration.heads)
    }

    @Test("more rows of shorter sequences after a long one keep room for the long one's attention")
    func scratchFollowsTheLongestSequence() {
        let workspace = EncoderWorkspace()
        workspace.reserve(tokens: 100, longest: 50, configuration: configuration)
        #expect(workspace.attentionScratchCount >= required(longest: 50))
        // Grows the rows; its sequences are short. A pass of 150 tokens with a 50-token sequence
        // then reserves nothing, so the scratch must still fit 50.
        workspace.reserve(tokens: 200, longest: 20, configuration: configuration)
        #expect(workspace.tokens == 200 && workspace.longest == 50)
        #expect(workspace.attentionScratchCount >= required(longest: 50))
        workspace.reserve(tokens: 150, longest: 50, configuration: configuration)
        #expect(workspace.attentionScratchCount >= required(longest: 50))
        workspace.reserve(tokens: 10, longest: 120, configuration: configuration)
        #expect(workspace.tokens == 200 && workspace.attentionScratchCount >= required(longest: 120))
    }
}
