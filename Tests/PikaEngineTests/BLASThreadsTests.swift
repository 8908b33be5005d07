import PikaEngine
import Testing

/// OpenBLAS through the engine's loader (CHNSW/src/blas_loader.c) from Swift: it loads, and the
/// process-wide thread count set through `BLASThreads` is the one the library reports. Every test
/// that sets the count in this process sets 1 (servers, `pika index search`), so the value is stable.
@Suite("BLASThreads")
struct BLASThreadsTests {
    @Test("OpenBLAS loads on demand and keeps the thread count it was given")
    func loadsAndKeepsTheCount() throws {
        BLASThreads.set(1)
        try BLASThreads.load()
        #expect(try BLASThreads.current == 1)
        BLASThreads.set(0)  // below 1 means 1
        #expect(try BLASThreads.current == 1)
    }
}
