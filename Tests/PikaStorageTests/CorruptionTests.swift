import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@testable import PikaStorage

/// Bit flips and truncations at every structural offset of each file kind: each gives a
/// named error naming the file, never a crash, and never a wrong answer.
@Suite("Corruption: bit flips and truncations", .blockingWork)
struct CorruptionTests {
    /// Two sealed segments (one with tombstones), plus records in the log.
    final class Setup {
        let dir: TempDir
        let path: String
        let segments: [String]
        let live: [Int]

        init() throws {
            dir = try TempDir()
            path = dir.sub("d")
            let store = try DataDirectory.create(at: path, configuration: Fixture.configuration())
            try store.upsert((0..<60).map { Fixture.record($0) }, vectors: (0..<60).map { Fixture.vector($0) })
            try store.seal()
            try store.upsert((60..<120).map { Fixture.record($0) }, vectors: (60..<120).map { Fixture.vector($0) })
            try store.delete(id: "id-3")
            try store.seal()
            try store.upsert((120..<130).map { Fixture.record($0) }, vectors: (120..<130).map { Fixture.vector($0) })
            segments = try Bytes.files(path, prefix: "seg-", suffix: ".pseg")
            live = (0..<130).filter { $0 != 3 }
        }

        func file(_ name: String) -> String { path + "/" + name }

        /// Applies `change` to a copy of the file's bytes, runs `body`, then restores the file.
        func withDamaged(_ name: String, _ change: (inout [UInt8]) -> Void, _ body: () throws -> Void) throws {
            let original = try Bytes.read(file(name))
            var bytes = original
            change(&bytes)
            try Bytes.write(bytes, to: file(name))
            defer { try? Bytes.write(original, to: file(name)) }
            try body()
        }

        func openReadOnly() throws(StorageError) -> DataDirectory {
            var options = OpenOptions()
            options.readOnly = true
            return try DataDirectory.open(at: path, options: options)
        }

        /// Opening either fails naming `name`, or reports a problem naming it and serves
        /// only correct records.
        func expectNamedOrCorrect(_ name: String, offset: Int, requireNamed: Bool = true) {
            do {
                let store = try openReadOnly()
                let named = store.recovery.problems.contains { $0.path?.hasSuffix(name) == true }
                #expect(named || !requireNamed, "offset \(offset) of \(name): no problem reported")
                for q in 0..<3 {
                    do {
                        let hits = try store.search(Fixture.vector(500 + q), options: RecordSearchOptions(k: 10, ef: 200))
                        for hit in hits {
                            let n = Int(hit.record.id.dropFirst(3))!
                            #expect(live.contains(n) && hit.record == Fixture.record(n), "offset \(offset) of \(name): wrong record")
                        }
                    } catch {
                        #expect(error.path?.hasSuffix(name) == true, "offset \(offset) of \(name): \(error)")
                    }
                }
            } catch {
                #expect(error.path?.hasSuffix(name) == true, "offset \(offset) of \(name): \(error)")
            }
        }
    }

    @Test("manifest: every byte flipped and every truncation fails to open, naming MANIFEST")
    func manifest() throws {
        let s = try Setup()
        let size = try Bytes.read(s.file("MANIFEST")).count
        for offset in 0..<size {
            try s.withDamaged("MANIFEST", { $0[offset] ^= 0x04 }) {
                do {
                    _ = try s.openReadOnly()
                    Issue.record("flip at \(offset) opened")
                } catch {
                    #expect((error as? StorageError)?.path?.hasSuffix("MANIFEST") == true)
                    #expect((error as? StorageError)?.code == .corruptFile || (error as? StorageError)?.code == .unsupportedVersion)
                }
            }
        }
        for length in [0, 1, 8, 19, 23, 24, size / 2, size - 1] {
            try s.withDamaged("MANIFEST", { $0.removeLast($0.count - length) }) {
                #expect(throws: StorageError.self) { try s.openReadOnly() }
            }
        }
        // A newer format version is refused by name.
        try s.withDamaged(
            "MANIFEST",
            { bytes in
                bytes[8] = 9
                let crc = Checksum.crc32c(Array(bytes[0..<20]))
                for i in 0..<4 { bytes[20 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
            }
        ) {
            do {
                _ = try s.openReadOnly()
            } catch {
                #expect((error as? StorageError)?.code == .unsupportedVersion)
            }
        }
    }

    @Test("segment: flips in the header and metadata, and truncations, set the segment aside; the rest serves")
    func segment() throws {
        let s = try Setup()
        let name = s.segments[1]
        let bytes = try Bytes.read(s.file(name))
        let header = try bytes.withRawBytes { (raw) throws(StorageError) in try SegmentFormat.parseHeader(raw, path: name) }
        var offsets = Array(0..<SegmentFormat.headerSize)
        offsets += Array(header.tenantDirectoryOffset..<header.recordsOffset)
        for offset in offsets {
            try s.withDamaged(name, { $0[offset] ^= 0x01 }) {
                let store = try s.openReadOnly()
                #expect(store.recovery.problems.contains { $0.path?.hasSuffix(name) == true }, "offset \(offset)")
                // The other segment and the log keep serving.
                #expect(store.record(id: "id-5") == Fixture.record(5))
                #expect(store.record(id: "id-125") == Fixture.record(125))
                #expect(store.record(id: "id-70") == nil)
            }
        }
        let cuts = [
            0, 10, SegmentFormat.headerSize - 1, SegmentFormat.pageSize, header.tenantDirectoryOffset, header.idIndexOffset,
            header.recordOffsetsOffset, header.recordsOffset, bytes.count - 1,
        ]
        for length in cuts {
            try s.withDamaged(name, { $0.removeLast($0.count - length) }) {
                let store = try s.openReadOnly()
                #expect(store.recovery.problems.contains { $0.path?.hasSuffix(name) == true }, "length \(length)")
                #expect(store.record(id: "id-5") == Fixture.record(5))
            }
        }
        // Record payload flips: a lookup or search either names the file or returns the right record.
        for offset in stride(from: header.recordsOffset, to: bytes.count, by: 97) {
            try s.withDamaged(name, { $0[offset] ^= 0x20 }) { s.expectNamedOrCorrectRecords(name) }
        }
    }

    @Test("tombstones: every byte flipped and truncations set the segment aside by name")
    func tombstones() throws {
        let s = try Setup()
        let name = try Bytes.files(s.path, prefix: "seg-", suffix: ".del")[0]
        let size = try Bytes.read(s.file(name)).count
        for offset in 0..<size {
            try s.withDamaged(name, { $0[offset] ^= 0x08 }) {
                let store = try s.openReadOnly()
                #expect(store.recovery.problems.contains { $0.path?.hasSuffix(name) == true }, "offset \(offset)")
                #expect(store.record(id: "id-3") == nil)
            }
        }
        for length in 0..<size {
            try s.withDamaged(name, { $0.removeLast($0.count - length) }) {
                let store = try s.openReadOnly()
                #expect(store.recovery.problems.contains { $0.path?.hasSuffix(name) == true }, "length \(length)")
            }
        }
    }

    @Test("write-ahead log: every byte flipped and every truncation is truncated or set aside by name, never a wrong record")
    func wal() throws {
        let s = try Setup()
        let name = try Bytes.files(s.path, prefix: "wal-", suffix: ".log")[0]
        let size = try Bytes.read(s.file(name)).count
        for offset in 0..<size {
            try s.withDamaged(name, { $0[offset] ^= 0x40 }) { s.expectNamedOrCorrect(name, offset: offset) }
        }
        for length in 0..<size {
            try s.withDamaged(name, { $0.removeLast($0.count - length) }) {
                if length == size { return }
                // A cut at a record boundary is a clean, shorter log: nothing to report.
                s.expectNamedOrCorrect(name, offset: -length, requireNamed: false)
            }
        }
    }

    @Test("graph: flips give an error naming the graph file on the first graph search or in verify, never a crash")
    func graph() throws {
        let s = try Setup()
        let name = try Bytes.files(s.path, prefix: "seg-", suffix: ".chnsw")[0]
        let size = try Bytes.read(s.file(name)).count
        var offsets = Array(0..<min(size, 256))
        offsets += stride(from: 256, to: size, by: 131)
        var foundBySearch = 0
        for offset in offsets {
            try s.withDamaged(name, { $0[offset] ^= 0x02 }) {
                let store = try s.openReadOnly()
                do {
                    _ = try store.search(Fixture.vector(1), options: RecordSearchOptions(k: 5, ef: 50))
                    // Opening the graph checks all but the vectors' and codes' checksums (damage
                    // there can only give wrong answers); verification checks every byte.
                    let report = DataDirectory.verify(at: s.path)
                    let named = report.files.contains { $0.file == name && $0.error?.path?.hasSuffix(name) == true }
                    #expect(named, "graph flip at \(offset) not detected by search or verify")
                } catch {
                    foundBySearch += 1
                    #expect((error as? StorageError)?.path?.hasSuffix(name) == true, "offset \(offset): \(error)")
                }
                // Tenant searches scan the mapped vectors and need no graph.
                _ = try store.search(Fixture.vector(1), options: RecordSearchOptions(k: 5, tenant: 1))
            }
        }
        #expect(foundBySearch > 0)
    }

    @Test("NaN in a segment's vectors (checked only by verify) never crashes a search; verify names the segment")
    func nanVectors() throws {
        let s = try Setup()
        let name = s.segments[0]
        let original = try Bytes.read(s.file(name))
        let header = try original.withUnsafeBytes { try SegmentFormat.parseHeader($0, path: name) }
        try s.withDamaged(
            name,
            { bytes in
                // Every value of every vector becomes a quiet NaN (0x7FC00000, little-endian).
                for offset in stride(from: header.vectorsOffset, to: header.vectorsOffset + header.vectorsLength, by: 4) {
                    bytes.replaceSubrange(offset..<(offset + 4), with: [0x00, 0x00, 0xC0, 0x7F])
                }
            }
        ) {
            let store = try s.openReadOnly()
            for plan in [SearchPlan.exact, .automatic] {
                var options = RecordSearchOptions(k: 5, tenant: 1)
                options.plan = plan
                do {
                    _ = try store.search(Fixture.vector(9), options: options)
                } catch {
                    #expect((error as? StorageError)?.path?.hasSuffix(name) == true, "\(plan): \(error)")
                }
            }
            let report = DataDirectory.verify(at: s.path)
            #expect(report.files.contains { $0.file == name && $0.error?.path?.hasSuffix(name) == true })
        }
    }

    @Test("snapshot archive: flips in headers and data, and truncations, are refused by name before the target is touched")
    func snapshot() throws {
        let s = try Setup()
        let archive = s.dir.sub("a.pikasnap")
        do {
            let store = try DataDirectory.open(at: s.path)
            try store.snapshot(to: archive)
        }
        let size = try Bytes.read(archive).count
        var offsets = Array(0..<min(size, 512))
        offsets += stride(from: 512, to: size, by: 61)
        let original = try Bytes.read(archive)
        for offset in offsets {
            var bytes = original
            bytes[offset] ^= 0x80
            try Bytes.write(bytes, to: archive)
            do {
                try DataDirectory.restore(from: archive, to: s.dir.sub("target"))
                Issue.record("flip at \(offset) restored")
            } catch {
                #expect(error.path?.hasPrefix(archive) == true, "offset \(offset): \(error)")
            }
            #expect(!FileManager.default.fileExists(atPath: s.dir.sub("target/MANIFEST")))
        }
        for length in [0, 10, 39, 40, 100, size / 2, size - 1] {
            try Bytes.write(Array(original.prefix(length)), to: archive)
            #expect(throws: StorageError.self) { try DataDirectory.restore(from: archive, to: s.dir.sub("target")) }
        }
    }
}

extension CorruptionTests.Setup {
    func expectNamedOrCorrectRecords(_ name: String) {
        do {
            let store = try openReadOnly()
            for n in [61, 70, 90, 119] {
                if let record = store.record(id: "id-\(n)") { #expect(record == Fixture.record(n)) }
            }
            do {
                for hit in try store.search(Fixture.vector(77), options: RecordSearchOptions(k: 20, tenant: 1)) {
                    let n = Int(hit.record.id.dropFirst(3))!
                    #expect(hit.record == Fixture.record(n))
                }
            } catch {
                #expect(error.path?.hasSuffix(name) == true, "\(error)")
            }
            // The skimming reads (records by label or attribute, the lazy search) check every
            // record they pass over as the full decode does.
            for selection in [RecordSelection.labels([0]), .attribute("none"), .attributePrefixes(["pref:"])] {
                do {
                    for record in try store.records(tenant: 1, selecting: selection) {
                        #expect(record == Fixture.record(Int(record.id.dropFirst(3))!))
                    }
                } catch {
                    #expect(error.path?.hasSuffix(name) == true, "\(selection): \(error)")
                }
            }
            do {
                for hit in try store.searchLazily(Fixture.vector(77), options: RecordSearchOptions(k: 20, tenant: 1)) {
                    let record = try hit.record()
                    #expect(record == Fixture.record(Int(record.id.dropFirst(3))!))
                }
            } catch {
                #expect(error.path?.hasSuffix(name) == true, "\(error)")
            }
        } catch {
            Issue.record("open failed: \(error)")
        }
    }
}
