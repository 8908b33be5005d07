import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@Suite("pika index build / search", .blockingWork)
struct IndexCommandTests {
    /// 300 rows of dimension 8 in 3 tenants; row r points mostly along axis r % 8.
    func vectors() -> [Float] {
        var out: [Float] = []
        for r in 0..<300 {
            for d in 0..<8 {
                let background = Float((r * 7 + d * 13) % 11) / 50
                out.append(d == r % 8 ? 1 : background)
            }
        }
        return out
    }

    @Test("build then search writes top-k labels and a JSON summary")
    func buildAndSearch() throws {
        let scratch = try Scratch()
        let base = vectors()
        let v = try scratch.write("v.fbin", rows: 300, columns: 8, floats: base)
        let t = try scratch.write("t.u32bin", rows: 300, columns: 1, integers: (0..<300).map { UInt32($0 % 3) })
        let build = try PikaProcess.run([
            "index", "build", "--vectors", v, "--tenants", t, "--out", scratch.file("idx"), "--metric", "cos",
            "--m", "8", "--ef-construction", "50", "--threads", "2",
        ])
        #expect(build.status == 0, "\(build.stderr)")
        #expect(build.lastJSON?["vectors"] as? Int == 300)
        #expect(build.lastJSON?["build_s"] != nil)

        // Queries: rows 0, 1 and 2 themselves; query 1 restricted to tenant 1, query 2 to a tenant with no rows.
        let q = try scratch.write("q.fbin", rows: 3, columns: 8, floats: Array(base[0..<24]))
        let qt = try scratch.write("qt.u32bin", rows: 3, columns: 1, integers: [UInt32(0), 1, 77])
        let out = scratch.file("r.ibin")
        let search = try PikaProcess.run([
            "index", "search", "--index", scratch.file("idx"), "--queries", q, "--k", "10", "--ef", "64",
            "--query-tenants", qt, "--out", out, "--threads", "2",
        ])
        #expect(search.status == 0, "\(search.stderr)")
        let json = try #require(search.lastJSON)
        #expect(json["queries"] as? Int == 3)
        #expect(json["k"] as? Int == 10)
        #expect(json["ef"] as? Int == 64)
        #expect(json["threads"] as? Int == 2)
        for key in ["qps", "p50_us", "p99_us"] { #expect(json[key] is NSNumber, "\(key)") }

        let results = try BinaryMatrixFile.readInt32(out)
        #expect(results.rows == 3 && results.columns == 10)
        #expect(results.row(0).first == 0)  // a row's own vector is its nearest
        #expect(results.row(0).allSatisfy { $0 >= 0 && $0 % 3 == 0 })
        #expect(results.row(1).first == 1)
        #expect(results.row(1).allSatisfy { $0 % 3 == 1 })
        #expect(results.row(2).allSatisfy { $0 == -1 })  // unknown tenant: every slot missing

        let info = try PikaProcess.run(["index", "info", "--index", scratch.file("idx")])
        #expect(info.lastJSON?["live"] as? Int == 300)
        #expect(info.lastJSON?["tenants"] as? Int == 3)
    }

    @Test("k beyond the index size leaves the extra slots at -1")
    func kLargerThanIndex() throws {
        let scratch = try Scratch()
        let v = try scratch.write("v.fbin", rows: 4, columns: 2, floats: [1, 0, 0, 1, 1, 1, -1, 0])
        #expect(try PikaProcess.run(["index", "build", "--vectors", v, "--out", scratch.file("idx"), "--metric", "l2"]).status == 0)
        let q = try scratch.write("q.fbin", rows: 1, columns: 2, floats: [1, 0])
        let run = try PikaProcess.run([
            "index", "search", "--index", scratch.file("idx"), "--queries", q, "--k", "6", "--out", scratch.file("r.ibin"),
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let row = try BinaryMatrixFile.readInt32(scratch.file("r.ibin")).row(0)
        #expect(Array(row) == [0, 2, 1, 3, -1, -1])
    }

    /// Each malformed input exits with status 2 and one stderr line naming the file.
    @Test("malformed files give a one-line error naming the file, exit status 2")
    func malformedFiles() throws {
        let scratch = try Scratch()
        let good = try scratch.write("good.fbin", rows: 2, columns: 2, floats: [1, 0, 0, 1])
        var cases: [(args: [String], file: String, words: String)] = []

        let truncated = try scratch.write("truncated.fbin", bytes: [3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 128, 63])
        cases.append((["--vectors", truncated], truncated, "truncated"))
        let short = try scratch.write("short.fbin", bytes: [1, 0, 0])
        cases.append((["--vectors", short], short, "header"))
        let trailing = try scratch.write("trailing.fbin", bytes: [1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 128, 63, 9])
        cases.append((["--vectors", trailing], trailing, "trailing"))
        let zeroDim = try scratch.write("zerodim.fbin", bytes: [1, 0, 0, 0, 0, 0, 0, 0])
        cases.append((["--vectors", zeroDim], zeroDim, "0 columns"))
        let missing = scratch.file("missing.fbin")
        cases.append((["--vectors", missing], missing, "cannot open"))
        let nan = try scratch.write("nan.fbin", rows: 2, columns: 2, floats: [1, 0, .nan, 1])
        cases.append((["--vectors", nan], nan, "row 1"))
        let twoColumns = try scratch.write("t2.u32bin", rows: 2, columns: 2, integers: [UInt32(0), 0, 0, 0])
        cases.append((["--vectors", good, "--tenants", twoColumns], twoColumns, "1 column"))
        let wrongCount = try scratch.write("t3.u32bin", rows: 3, columns: 1, integers: [UInt32(0), 0, 0])
        cases.append((["--vectors", good, "--tenants", wrongCount], wrongCount, "3 rows"))

        for c in cases {
            let run = try PikaProcess.run(["index", "build"] + c.args + ["--out", scratch.file("idx-\(c.file.hashValue)")])
            #expect(run.status == 2, "\(c.file): status \(run.status)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(run.stderr)")
            #expect(run.stderr.contains(c.file) && run.stderr.contains(c.words), "\(run.stderr)")
        }

        // Search side: queries of the wrong dimension, and a missing index.
        #expect(try PikaProcess.run(["index", "build", "--vectors", good, "--out", scratch.file("idx")]).status == 0)
        let wide = try scratch.write("wide.fbin", rows: 1, columns: 3, floats: [1, 2, 3])
        let wrongDim = try PikaProcess.run([
            "index", "search", "--index", scratch.file("idx"), "--queries", wide, "--out", scratch.file("r.ibin"), "--k", "1",
        ])
        #expect(wrongDim.status == 2 && wrongDim.stderr.contains(wide) && wrongDim.stderr.contains("dimension"))
        let badTenants = try scratch.write("qt.u32bin", rows: 2, columns: 1, integers: [UInt32(0), 0])
        let tenantMismatch = try PikaProcess.run([
            "index", "search", "--index", scratch.file("idx"), "--queries", wide, "--query-tenants", badTenants,
            "--out", scratch.file("r.ibin"), "--k", "1",
        ])
        #expect(tenantMismatch.status == 2 && tenantMismatch.stderr.contains(badTenants), "\(tenantMismatch.stderr)")
        let noIndex = try PikaProcess.run([
            "index", "search", "--index", scratch.file("nope"), "--queries", good, "--out", scratch.file("r.ibin"),
        ])
        #expect(noIndex.status == 2 && noIndex.stderr.contains("nope"))

        // The queries file is mapped rather than read (MappedFloatMatrix): the same malformed
        // files are refused with the same one line, and a directory is not a regular file.
        var queryCases = cases.filter { $0.args.count == 2 && $0.file != nan }.map { ($0.file, $0.words) }
        queryCases.append((scratch.file(""), "not a regular file"))
        for (file, words) in queryCases {
            let run = try PikaProcess.run([
                "index", "search", "--index", scratch.file("idx"), "--queries", file, "--out", scratch.file("r.ibin"), "--k", "1",
            ])
            #expect(run.status == 2, "\(file): status \(run.status)")
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
            #expect(run.stderr.contains(file) && run.stderr.contains(words), "\(run.stderr)")
        }
    }

    @Test("invalid options are refused before any work")
    func invalidOptions() throws {
        let run = try PikaProcess.run(["index", "search", "--index", "x", "--queries", "y", "--out", "z", "--k", "10", "--ef", "5"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--ef"))
    }
}
