// libFuzzer targets for every storage file parser (manifest, WAL, segment, tombstones,
// snapshot archive). Built by scripts/fuzz.sh with -sanitize=fuzzer,address and -D FUZZING;
// the target is chosen by the environment variable PIKA_FUZZ_TARGET. Built normally, the
// same file is a corpus replayer: `StorageFuzz KIND FILE...` parses each file and prints
// the result, so a crash found by the fuzzer can be replayed under the debugger.
import PikaStorage

#if canImport(Glibc)
    import Glibc
#endif

/// The parser chosen for this process.
let fuzzKind: StorageFileParser.Kind = {
    guard let raw = getenv("PIKA_FUZZ_TARGET"), let kind = StorageFileParser.Kind(rawValue: String(cString: raw)) else {
        return .wal
    }
    return kind
}()

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        _ = try? StorageFileParser.parse(bytes, as: fuzzKind)
        return 0
    }

    /// libFuzzer's driver (libclang_rt.fuzzer), for the entry point SwiftPM links executables to.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32

    @_cdecl("StorageFuzz_main")
    public func storageFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
        var count = argc
        var vector = argv
        return LLVMFuzzerRunDriver(&count, &vector) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    struct StorageFuzzReplay {
        static func main() {
            let args = CommandLine.arguments
            guard args.count >= 3, let kind = StorageFileParser.Kind(rawValue: args[1]) else {
                print("usage: StorageFuzz manifest|wal|segment|tombstones|snapshot FILE...")
                exit(2)
            }
            for path in args.dropFirst(2) {
                guard let f = fopen(path, "rb") else { continue }
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = fread(&chunk, 1, chunk.count, f)
                    if n <= 0 { break }
                    bytes += chunk[0..<n]
                }
                fclose(f)
                do {
                    print("\(path): \(try StorageFileParser.parse(bytes, as: kind, path: path))")
                } catch {
                    print("\(path): \(error)")
                }
            }
        }
    }
#endif
