import Foundation
import PikaTestSupport
import Testing

@testable import PikaStorage

/// `DataDirectory.prefault()`: a freshly opened directory maps its segment files without reading
/// them; prefaulting maps every page into the process, and searches answer the same.
@Suite("Prefaulting sealed segments", .blockingWork)
struct PrefaultTests {
    /// The kB of this process's mapping of the file named `name` in `directory` that are mapped
    /// into its page tables (`Rss` in /proc/self/smaps), and the mapping's size in kB.
    static func residency(of name: String, in directory: String) throws -> (rss: Int, size: Int)? {
        // Read to the end: /proc files report a size of 0, so size-based reads see nothing.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var inMapping = false
        var size: Int?
        for line in smaps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if let first = fields.first, first.contains("-"), fields.count >= 5 {
                inMapping = line.hasSuffix("/" + name) && line.contains(directory)
                continue
            }
            guard inMapping, fields.count >= 2, let kB = Int(fields[1]) else { continue }
            if fields[0] == "Size:" { size = kB }
            if fields[0] == "Rss:", let size { return (kB, size) }
        }
        return nil
    }

    @Test("after prefault every page of the segment is mapped, and exact scans still match brute force")
    func prefaultMapsEveryPage() throws {
        let dir = try TempDir()
        let live: [Int]
        do { (_, live) = try ScanCopyTests.sealedCosineStore(at: dir.sub("d")) }
        let name = try #require(try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".pseg").first)

        let store = try DataDirectory.open(at: dir.sub("d"))
        let opened = try #require(try Self.residency(of: name, in: dir.path), "no mapping of \(name)")
        #expect(opened.size > 16, "the fixture segment spans several pages")
        #expect(opened.rss < opened.size, "open maps the file without touching every page")

        store.prefault()
        let warmed = try #require(try Self.residency(of: name, in: dir.path))
        #expect(warmed.rss == warmed.size)
        try ScanCopyTests.expectExactTenantScans(store, live: live)
    }
}
