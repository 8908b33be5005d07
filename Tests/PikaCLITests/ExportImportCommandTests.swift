import Foundation
import PikaTestSupport
import Testing

/// `pika export` / `pika import` through the real binary, on a real data directory.
@Suite("pika export and import", .blockingWork)
struct ExportImportCommandTests {
    // Canonical export lines (sorted keys, fractional-second times), so a round trip is byte-exact.
    static let lines = [
        #"{"agent_id":"pika","attribute":"name","created_at":"2026-01-02T03:04:05.500Z","id":"0b3e7a52-1111-4c3a-9d55-000000000001","kind":"fact","memory":"Name is Minh","metadata":{"source":"chat"},"provenance":["D1:3"],"run_id":"r1","updated_at":"2026-01-02T03:04:05.500Z"}"#,
        #"{"created_at":"2026-01-03T00:00:00.000Z","id":"0b3e7a52-1111-4c3a-9d55-000000000002","kind":"fact","memory":"Tôi sống ở Hà Nội","metadata":{},"provenance":[],"updated_at":"2026-01-04T00:00:00.000Z"}"#,
        #"{"created_at":"2026-01-05T00:00:00.000Z","id":"0b3e7a52-1111-4c3a-9d55-000000000003","kind":"event","memory":"Minh visited Hue on 7 May 2023","metadata":{"n":3},"occurred_at":"2023-05-07T00:00:00.000Z","provenance":["msg:0"],"updated_at":"2026-01-05T00:00:00.000Z"}"#,
    ]

    func user(_ data: String, _ user: String = "u1") -> [String] {
        ["--data-dir", data, "--tenant", "default", "--user", user]
    }

    func importing(_ data: String, _ file: String, user name: String = "u1") throws -> PikaProcess.Output {
        try PikaProcess.run(["import"] + user(data, name) + ["--in", file, "--embedder", "hashing"])
    }

    func exported(_ data: String, user name: String = "u1") throws -> [String] {
        let output = try PikaProcess.run(["export"] + user(data, name))
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout.split(separator: "\n").map(String.init)
    }

    @Test func roundTripKeepsIdsAndIsIdempotent() throws {
        let scratch = try Scratch()
        let data = scratch.file("data")
        let input = try scratch.write("in.jsonl", bytes: Array((Self.lines.joined(separator: "\n") + "\n\n").utf8))

        let first = try importing(data, input)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.lastJSON?["imported"] as? Int == 3 && first.lastJSON?["skipped"] as? Int == 0)
        #expect(first.stderr.contains("imported 3, skipped 0 of 3 lines"))

        let again = try importing(data, input)
        #expect(again.status == 0 && again.lastJSON?["imported"] as? Int == 0 && again.lastJSON?["skipped"] as? Int == 3)

        // Oldest first, byte for byte what went in.
        #expect(try exported(data) == Self.lines)
        let out = scratch.file("out.jsonl")
        let toFile = try PikaProcess.run(["export"] + user(data) + ["--out", out])
        #expect(toFile.status == 0 && toFile.stdout.isEmpty && toFile.stderr.contains("exported 3 memories"))
        #expect(try String(contentsOfFile: out, encoding: .utf8) == Self.lines.joined(separator: "\n") + "\n")

        // The export imports into another user's copy of the same data? No: ids are global, so
        // another user of the tenant is a conflict, and nothing is imported for them.
        let conflict = try importing(data, out, user: "u2")
        #expect(
            conflict.status == 1 && conflict.stderr.contains("belongs to another user") && conflict.stderr.contains("nothing was imported"))
        #expect(try exported(data, user: "u2").isEmpty)
        // Another tenant's user ids are their own: another data directory takes the file as is.
        let other = scratch.file("other")
        #expect(try importing(other, out).status == 0)
        #expect(try exported(other) == Self.lines)
    }

    @Test func badLinesNameTheirNumberAndImportNothing() throws {
        let scratch = try Scratch()
        let data = scratch.file("data")
        let valid = #"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000a","memory":"Has a cat"}"#
        let cases: [(String, String)] = [
            (valid + "\n{not json\n", "bad.jsonl:2: not a JSON object"),
            (valid + "\n\n" + #"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000b"}"#, #"bad.jsonl:3: missing "memory""#),
            (valid + "\n" + #"{"id":"42","memory":"x"}"#, #"bad.jsonl:2: id "42" is not a UUID"#),
            (#"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000c","memory":"   "}"# + "\n" + valid, "bad.jsonl:1: empty memory"),
            (
                valid + "\n" + #"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000d","memory":"x","agent_id":"../etc"}"#,
                #"bad.jsonl:2: agent_id "../etc" is not a valid id"#
            ),
            (valid + "\n" + #"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000e","memory":7}"#, #"bad.jsonl:2: wrong type at "memory""#),
        ]
        for (text, message) in cases {
            let file = try scratch.write("bad.jsonl", bytes: Array(text.utf8))
            let output = try importing(data, file)
            #expect(output.status == 2, "\(text) → \(output.stderr)")
            #expect(output.stderr.contains(message), "\(output.stderr)")
        }
        // The valid first lines were not imported either (the database may not even exist yet).
        let listing = try PikaProcess.run(["export"] + user(data))
        #expect(listing.stdout.isEmpty)
        #expect(listing.status == 2 || listing.status == 0)

        let missing = try PikaProcess.run(["export"] + user(scratch.file("nowhere")))
        #expect(missing.status == 2 && missing.stderr.contains("not a service data directory"))
        let unreadable = try PikaProcess.run(["import"] + user(data) + ["--in", scratch.file("absent.jsonl"), "--embedder", "hashing"])
        #expect(unreadable.status == 2 && unreadable.stderr.contains("cannot read"))
        let badUser = try PikaProcess.run(["export", "--data-dir", data, "--tenant", "default", "--user", "a/b"])
        #expect(badUser.status != 0 && badUser.stderr.contains("--user"))
    }
}
