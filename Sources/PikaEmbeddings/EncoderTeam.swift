import CHNSW
import Synchronization

/// A second thread for one pass's products: the calling thread and one worker each compute part
/// of a product's output columns (CHNSW/include/chnsw_embed.h, "THE TEAM").
///
/// Why: a short pass (a search of a dozen tokens) reads all of the model's weights once and does
/// little arithmetic per weight; between a server's requests part of the weights leaves L3, and
/// one core's memory bandwidth then sets the pace. Two cores stream half the weights each. Results
/// are the single-thread results bit for bit. A product splits only while its pass is the encoder's
/// only one in flight (``ifAlone``; the C team also lets one product at a time hold it), and the
/// worker is kept off its caller's CPU. When idle the worker polls for
/// ``spinMicroseconds`` and then sleeps, so an idle service costs no CPU; `deinit` stops and joins it.
///
/// `@unchecked Sendable` is safe: the pointer is set once in `init` and freed only in `deinit`;
/// the C team serialises its users itself (one holder at a time, the others run alone).
final class EncoderTeam: @unchecked Sendable {
    /// Most token rows of a pass that uses the team: short inputs, whose products are bound by the
    /// stream of weights; longer passes are batches, which already keep both cores busy with one
    /// pass each (``MiniLMEmbedder/Options/parallelism``).
    static let maxRows = 64
    /// How long the idle worker polls for the next product before it sleeps: longer than the gap
    /// between one pass's products (attention, layer norm: a few microseconds), far shorter than
    /// the gap between requests.
    static let spinMicroseconds: UInt32 = 50

    let pointer: OpaquePointer
    /// Passes of this encoder in flight (short and long), to split only while a pass runs alone.
    private let passes = Atomic<Int>(0)

    /// Starts the worker; nil when the process may use fewer than two CPUs or the thread cannot start.
    init?() {
        guard let team = chnsw_embed_team_create(Self.spinMicroseconds) else { return nil }
        pointer = team
    }

    /// A team for `setting`: nil when it is `off` or no second CPU is available.
    static func make(_ setting: QuerySplitting) -> EncoderTeam? {
        setting == .on ? EncoderTeam() : nil
    }

    /// Counts a pass of the encoder in (every pass, split or not, until ``endPass()``).
    func beginPass() { passes.add(1, ordering: .relaxed) }

    /// Counts a pass out.
    func endPass() { passes.subtract(1, ordering: .relaxed) }

    /// This team when the calling pass is the encoder's only one in flight, else nil: while another
    /// pass runs (a concurrent search, a batch of documents), the other core is taken, and a split
    /// would only add CPU (two cores streaming at once each run slower) without a free core to gain.
    var ifAlone: EncoderTeam? { passes.load(ordering: .relaxed) <= 1 ? self : nil }

    /// Wakes a sleeping worker ahead of a pass, so that its wake-up overlaps the pass's first steps.
    func wake() { chnsw_embed_team_wake(pointer) }

    /// Chunks of products the worker has computed so far (whether splitting happens).
    var workerChunks: UInt64 { chnsw_embed_team_worker_chunks(pointer) }

    /// The worker's thread id (on Linux its entry in /proc/self/task), to check that it stops.
    var workerID: Int { chnsw_embed_team_worker_id(pointer) }

    deinit { chnsw_embed_team_destroy(pointer) }
}
