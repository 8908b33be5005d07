// Speed of the native all-MiniLM-L6-v2 embedder: one short query (p50 on one thread) and
// sentences/s of 32-token sentences on two cores. Prints one JSON object per measurement.
// Usage: embedding-bench [--sentences N]   (model from $PIKA_MODEL_DIR or models/all-MiniLM-L6-v2)
//        embedding-bench --embedder e5-small  (one query of multilingual-e5-small, fp32 and int8;
//                                             model from $PIKA_E5_MODEL_DIR or models/multilingual-e5-small)
import Foundation
import PikaEmbeddings

#if canImport(Glibc)
    import Glibc
#endif

let query = "what does my son like to eat for breakfast"
let sentence =
    "my daughter loves dinosaurs and drawing pictures of the ocean with her grandmother every "
    + "sunday afternoon in the park near home and she always brings a red umbrella with her"
var count = 512
if let flag = CommandLine.arguments.firstIndex(of: "--sentences"), flag + 1 < CommandLine.arguments.count {
    count = Int(CommandLine.arguments[flag + 1]) ?? count
}

func report(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// CPU seconds used by the calling thread (unaffected by time spent waiting for a busy core).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// CPU seconds used by the whole process, all threads.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
}

/// Load average over the last minute: on a shared machine, other work inflates wall-clock figures.
func loadAverage() -> Double {
    var load = [Double](repeating: 0, count: 3)
    return getloadavg(&load, 3) > 0 ? load[0] : -1
}

// Per precision: one query on one thread (tokenization included), the same query split between two
// threads (PIKA_EMBEDDING_SPLIT), then 32-token sentences per second with one and with two workers
// (each pass on its own thread: batches are too long to split; the encoder does not use OpenBLAS).
// `--precision fp32|int8` limits the run to one precision.
var precisions = EmbeddingPrecision.allCases
if let flag = CommandLine.arguments.firstIndex(of: "--precision"), flag + 1 < CommandLine.arguments.count,
    let only = EmbeddingPrecision(rawValue: CommandLine.arguments[flag + 1])
{
    precisions = [only]
}
/// One query on one thread, 20 warm-up and 300 timed runs: wall and thread-CPU percentiles (ms).
func queryTimes(_ encode: () -> Void) -> (p50: Double, p90: Double, cpuP50: Double) {
    for _ in 0..<20 { encode() }
    var latencies: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<300 {
        let before = threadCPUSeconds()
        latencies.append(seconds(encode))
        cpu.append(threadCPUSeconds() - before)
    }
    latencies.sort()
    cpu.sort()
    return ((latencies[150] * 1e5).rounded() / 100, (latencies[270] * 1e5).rounded() / 100, (cpu[150] * 1e5).rounded() / 100)
}

if let flag = CommandLine.arguments.firstIndex(of: "--embedder"), flag + 1 < CommandLine.arguments.count,
    CommandLine.arguments[flag + 1] == "e5-small"
{
    // The target is one query's p50 on one core; the same query as MiniLM's, in e5's `query: ` form.
    var reference: [Float] = []
    for precision in precisions {
        var options = E5Embedder.Options()
        options.precision = precision
        options.splitting = .off
        let e5 = try E5Embedder(options: options)
        let times = queryTimes { _ = e5.encode([query], as: .query) }
        let vector = e5.encode([query], as: .query)[0].vector
        if precision == .fp32 { reference = vector }
        let agreement = reference.isEmpty ? -1 : zip(reference, vector).reduce(0) { $0 + Double($1.0 * $1.1) }
        report([
            "impl": "swift-native", "model": e5.name, "precision": precision.rawValue, "measure": "query",
            "tokens": e5.tokenizer.encode(E5Embedder.Role.query.prefix + query).ids.count, "threads": 1,
            "p50ms": times.p50, "p90ms": times.p90, "cpuP50ms": times.cpuP50,
            "cosineWithFp32": (agreement * 1e6).rounded() / 1e6, "loadAverage": loadAverage(),
        ])
    }
    exit(0)
}

var reference: [Float] = []
for precision in precisions {
    var options = MiniLMEmbedder.Options()
    options.precision = precision
    // One core: the target. The split query (two threads) is measured after it.
    options.splitting = .off
    let single = try MiniLMEmbedder(options: options)
    for _ in 0..<20 { _ = single.encode([query]) }
    var latencies: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<300 {
        let before = threadCPUSeconds()
        latencies.append(seconds { _ = single.encode([query]) })
        cpu.append(threadCPUSeconds() - before)
    }
    latencies.sort()
    cpu.sort()
    let vector = single.encode([query])[0].vector
    if precision == .fp32 { reference = vector }
    let agreement = reference.isEmpty ? -1 : zip(reference, vector).reduce(0) { $0 + Double($1.0 * $1.1) }
    report([
        "impl": "swift-native", "precision": precision.rawValue, "kernel": single.kernel, "measure": "query",
        "tokens": single.tokenizer.encode(query).ids.count, "threads": 1,
        "p50ms": (latencies[150] * 1e5).rounded() / 100, "p90ms": (latencies[270] * 1e5).rounded() / 100,
        "cpuP50ms": (cpu[150] * 1e5).rounded() / 100, "cosineWithFp32": (agreement * 1e6).rounded() / 1e6,
        "loadAverage": loadAverage(),
    ])

    // The same query split between two cores (PIKA_EMBEDDING_SPLIT=on): wall clock and the whole
    // process's CPU per query, alternating with the one-core embedder query by query.
    options.splitting = .on
    let split = try MiniLMEmbedder(options: options)
    if split.splitsShortInputs {
        for _ in 0..<20 { _ = split.encode([query]) }
        var wall: [Double] = []
        var alone: [Double] = []
        var processCPU: [Double] = []
        for _ in 0..<300 {
            alone.append(seconds { _ = single.encode([query]) })
            let before = processCPUSeconds()
            wall.append(seconds { _ = split.encode([query]) })
            processCPU.append(processCPUSeconds() - before)
        }
        wall.sort()
        alone.sort()
        processCPU.sort()
        report([
            "impl": "swift-native", "precision": precision.rawValue, "kernel": split.kernel, "measure": "query-split",
            "threads": 2, "p50ms": (wall[150] * 1e5).rounded() / 100, "p90ms": (wall[270] * 1e5).rounded() / 100,
            "aloneP50ms": (alone[150] * 1e5).rounded() / 100, "processCpuP50ms": (processCPU[150] * 1e5).rounded() / 100,
            "identicalToAlone": split.encode([query])[0].vector == single.encode([query])[0].vector,
            "loadAverage": loadAverage(),
        ])
    }

    let sentences = [String](repeating: sentence, count: count)
    for workers in [1, 2] {
        var options = options
        options.parallelism = workers
        options.batchTokens = 1024
        let embedder = try MiniLMEmbedder(options: options)
        _ = embedder.encode(Array(sentences.prefix(64)))
        var best = 0.0
        var bestPerCPUSecond = 0.0
        for _ in 0..<3 {
            let cpuBefore = processCPUSeconds()
            let elapsed = seconds { _ = embedder.encode(sentences) }
            best = max(best, Double(count) / elapsed)
            bestPerCPUSecond = max(bestPerCPUSecond, Double(count) / (processCPUSeconds() - cpuBefore))
        }
        report([
            "impl": "swift-native", "precision": precision.rawValue, "kernel": embedder.kernel,
            "measure": "throughput", "tokens": embedder.tokenizer.encode(sentence).ids.count, "workers": workers,
            "sentences": count, "sentencesPerSecond": best.rounded(),
            // What two cores of our own would do: sentences per CPU-second, times two.
            "sentencesPerSecondPerCPU": bestPerCPUSecond.rounded(), "twoCoreEstimate": (2 * bestPerCPUSecond).rounded(),
            "loadAverage": loadAverage(),
        ])
    }
}
