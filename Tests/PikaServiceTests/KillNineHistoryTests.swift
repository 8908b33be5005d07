import Foundation
import PikaTestSupport
import Synchronization
import Testing

/// What the client saw of the writes to one memory: the history events of the acknowledged ones,
/// and the one whose answer never came (it may or may not have happened).
private struct Ledger {
    var events: [String] = []
    var text = ""
    var inFlight: (event: String, text: String)?
}

/// A memory and its history commit together: `pika serve` is killed with SIGKILL at random moments
/// while two clients add, update and delete memories; after each restart every acknowledged write
/// is there with exactly its history, a write in flight at the kill is there whole or not at all,
/// and nothing else appears.
@Suite("Kill -9 during mixed writes", .blockingWork)
struct KillNineHistoryTests {
    @Test("20 kill -9 cycles: every acknowledged write has exactly its history, nothing else appears")
    func everyAcknowledgedWriteHasExactlyItsHistory() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let port = try freeLoopbackPort()
        var ledgers: [String: Ledger] = [:]
        /// Adds whose answer never came, by their (unique) text.
        var unansweredAdds: Set<String> = []
        var serial = 0
        for cycle in 0..<20 {
            let server = try ServerProcess(dataDirectory: directory, port: port, workers: 0)
            try await server.waitUntilReady()
            try await verify(server, ledgers: &ledgers, unansweredAdds: &unansweredAdds, cycle: cycle)
            let clients = SharedValue(ledgers)
            let killAfter = Duration.milliseconds(Int.random(in: 30...400))
            let pending = SharedValue<Set<String>>([])
            // The clients stop by this flag, not by cancellation: a request to a killed server fails at
            // once, and cancelling URLSession requests from a task group was seen to hang the runtime.
            let killed = SharedValue(false)
            let base = serial
            serial += 1_000
            await withTaskGroup(of: Void.self) { group in
                for client in 0..<2 {
                    group.addTask {
                        var n = base + client * 500
                        while !killed.value {
                            n += 1
                            await step(server, ledgers: clients, pending: pending, serial: n)
                        }
                    }
                }
                try? await Task.sleep(for: killAfter)
                server.kill9()
                killed.mutate { $0 = true }
            }
            try await server.process.waitForExit(within: .seconds(10))
            ledgers = clients.value
            unansweredAdds.formUnion(pending.value)
        }
        let final = try ServerProcess(dataDirectory: directory, port: port, workers: 0)
        defer { final.kill9() }
        try await final.waitUntilReady()
        try await verify(final, ledgers: &ledgers, unansweredAdds: &unansweredAdds, cycle: 20)
        #expect(ledgers.count > 20, "too few writes were acknowledged to test anything")
    }

    /// One random write: an add (half the time, or when there is nothing to change), an update or a delete.
    private func step(_ server: ServerProcess, ledgers: SharedValue<[String: Ledger]>, pending: SharedValue<Set<String>>, serial: Int) async
    {
        let live = ledgers.value.filter { $0.value.events.last != "DELETE" && $0.value.inFlight == nil }.map(\.key)
        let choice = live.isEmpty ? 0 : Int.random(in: 0..<4)
        if choice <= 1 {
            let text = "memory number \(serial) about kites and rivers"
            pending.mutate { $0.insert(text) }
            let body = #"{"user_id":"u","messages":[{"role":"user","content":"\#(text)"}],"infer":false,"async":false}"#
            guard let (status, json) = try? await server.request("POST", "/v1/memories", body: body), status == 200,
                let id = (json["results"] as? [[String: Any]])?.first?["id"] as? String
            else { return }
            pending.mutate { $0.remove(text) }
            ledgers.mutate { $0[id] = Ledger(events: ["ADD"], text: text) }
            return
        }
        let id = live.randomElement()!
        if choice == 2 {
            let text = "memory number \(serial) rewritten"
            ledgers.mutate { $0[id]?.inFlight = ("UPDATE", text) }
            guard let (status, _) = try? await server.request("PUT", "/v1/memories/\(id)", body: #"{"text":"\#(text)"}"#) else { return }
            if status == 200 {
                ledgers.mutate {
                    $0[id]?.events.append("UPDATE")
                    $0[id]?.text = text
                    $0[id]?.inFlight = nil
                }
            }
        } else {
            ledgers.mutate { $0[id]?.inFlight = ("DELETE", "") }
            guard let (status, _) = try? await server.request("DELETE", "/v1/memories/\(id)") else { return }
            if status == 200 || status == 204 {
                ledgers.mutate {
                    $0[id]?.events.append("DELETE")
                    $0[id]?.inFlight = nil
                }
            }
        }
    }

    /// Checks the restarted server against the ledgers, then settles what the writes in flight did.
    private func verify(
        _ server: ServerProcess, ledgers: inout [String: Ledger], unansweredAdds: inout Set<String>, cycle: Int
    ) async throws {
        for (id, ledger) in ledgers {
            let (status, json) = try await server.request("GET", "/v1/memories/\(id)/history")
            let events = (json["results"] as? [[String: Any]] ?? []).compactMap { $0["event"] as? String }
            var settled = ledger
            if let inFlight = ledger.inFlight, events == ledger.events + [inFlight.event] {
                settled.events.append(inFlight.event)
                if inFlight.event == "UPDATE" { settled.text = inFlight.text }
            } else {
                #expect(
                    events == ledger.events, "cycle \(cycle), memory \(id): history \(events), acknowledged \(ledger.events) (\(status))")
            }
            settled.inFlight = nil
            let (getStatus, memory) = try await server.request("GET", "/v1/memories/\(id)")
            if settled.events.last == "DELETE" {
                #expect(getStatus == 404, "cycle \(cycle), memory \(id) was deleted but answers \(getStatus)")
            } else {
                #expect(memory["memory"] as? String == settled.text, "cycle \(cycle), memory \(id): \(memory)")
            }
            ledgers[id] = settled
        }
        // Nothing else: every stored memory is an acknowledged one or an add whose answer never came (then whole).
        var listed: [[String: Any]] = []
        var cursor = ""
        repeat {
            let (_, page) = try await server.request(
                "GET", "/v1/memories?user_id=u&limit=100" + (cursor.isEmpty ? "" : "&cursor=\(cursor)"))
            listed += page["results"] as? [[String: Any]] ?? []
            cursor = page["next_cursor"] as? String ?? ""
        } while !cursor.isEmpty
        for item in listed {
            guard let id = item["id"] as? String, ledgers[id] == nil else { continue }
            let text = item["memory"] as? String ?? ""
            #expect(unansweredAdds.contains(text), "cycle \(cycle): \(id) \"\(text)\" was never written")
            let events = (try await server.request("GET", "/v1/memories/\(id)/history").1["results"] as? [[String: Any]] ?? [])
                .compactMap { $0["event"] as? String }
            #expect(events == ["ADD"], "cycle \(cycle): unacknowledged add \(id) has history \(events)")
            ledgers[id] = Ledger(events: ["ADD"], text: text)
            unansweredAdds.remove(text)
        }
        // An unanswered add that is not stored never happened: it must not appear later either.
    }
}

/// A value shared by the test's client tasks.
private final class SharedValue<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>
    init(_ value: Value) { storage = Mutex(value) }
    var value: Value { storage.withLock { $0 } }
    func mutate(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}
