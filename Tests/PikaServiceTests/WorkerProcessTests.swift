import Foundation
import PikaMemory
import PikaTestSupport
import Testing

/// `pika worker` through the real binary: its start-up checks, and worker processes beside `pika serve`
/// on one data directory and one PostgreSQL database (scripts/test-services.sh must be running).
///
/// Every child process is started with posix_spawn, waited for with deadlines, and killed when the test
/// ends, whether it passed or not.
@Suite("WorkerProcess: pika worker processes", .serialized)
struct WorkerProcessTests {
    private func run(_ name: String, _ arguments: [String], environment: [String: String]) async throws -> ChildProcess {
        let child = try ChildProcess(
            name: name, executable: ServerProcess.executable.path, arguments: arguments,
            environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 })
        defer { child.kill9() }
        try await child.waitForExit(within: .seconds(30))
        return child
    }

    @Test func refusesToStartWithoutPostgreSQL() async throws {
        let worker = try await run(
            "worker-no-pg", ["worker", "--data-dir", ServiceHarness.temporaryDirectory(), "--embedder", "hashing"],
            environment: [:])
        #expect(worker.exitCode == 2)
        #expect(worker.log.contains("PIKA_POSTGRES_URL"), "\(worker.log)")
    }

    @Test("an invalid job lease stops pika serve and pika worker at start-up, naming the setting")
    func invalidLeaseStopsStartUp() async throws {
        let serve = try await run(
            "serve-bad-lease", ["serve", "--port", "0", "--embedder", "hashing"],
            environment: ["PIKA_JOB_LEASE_SECONDS": "0", "PIKA_DATA_DIR": ServiceHarness.temporaryDirectory()])
        #expect(serve.exitCode == 2)
        #expect(serve.log.contains("PIKA_JOB_LEASE_SECONDS: '0' is not 1...3600"), "\(serve.log)")
        let worker = try await run(
            "worker-bad-lease", ["worker", "--job-lease-seconds", "soon", "--embedder", "hashing"],
            environment: ["PIKA_POSTGRES_URL": "postgresql://pika@127.0.0.1:1/none", "PIKA_DATA_DIR": ServiceHarness.temporaryDirectory()])
        #expect(worker.exitCode == 2)
        #expect(worker.log.contains("PIKA_JOB_LEASE_SECONDS: 'soon' is not 1...3600"), "\(worker.log)")
    }

    @Test("two pika worker processes beside pika serve: every job once, each user's in order, each write searchable at once")
    func twoWorkerProcesses() async throws {
        let deployment = try await WorkerDeployment.make()
        let finished = try await runStopping(deployment) {
            try await deployment.startServe()
            let workers = [try await deployment.startWorker("worker-a"), try await deployment.startWorker("worker-b")]
            let colours = ["red", "green", "blue", "amber", "violet", "teal"]
            let users = (0..<6).map { "user\($0)" }
            // Round-robin over users, so both processes have runnable jobs of several users at once.
            var jobs: [(user: String, index: Int, id: String)] = []
            for index in colours.indices {
                for (offset, user) in users.enumerated() {
                    let colour = colours[(index + offset) % colours.count]
                    jobs.append((user, index, try await deployment.submit("My favorite color is \(colour)", user: user)))
                }
            }
            func colour(_ user: String, _ index: Int) -> String {
                colours[(index + users.firstIndex(of: user)!) % colours.count]
            }
            for job in jobs {
                let record = try await deployment.waitForJob(job.id, within: .seconds(60))
                #expect(record["status"]?.stringValue == "completed", "\(record)")
                #expect(record["attempts"]?.numberValue == 1, "claimed once: \(record)")
                // The write is visible through pika serve's search as soon as its job is completed (a later
                // job of the same user may have replaced it already, never an earlier one).
                let search = try await deployment.call(
                    "POST", "/v1/memories/search", json: #"{"query":"favorite color","user_id":"\#(job.user)","limit":5}"#)
                let found = search.json["results"]?.arrayValue?.compactMap { $0["memory"]?.stringValue } ?? []
                let newerOrSame = (job.index..<colours.count).map { "Favorite color is \(colour(job.user, $0))" }
                #expect(found.contains { newerOrSame.contains($0) }, "job \(job.index) of \(job.user) searchable: \(search.text)")
            }
            // With every user's answer now cached by pika serve (L0/L1), one more write each: the search
            // right after its job completes must answer the new colour, not the cached one.
            for user in users {
                let id = try await deployment.submit("My favorite color is black", user: user)
                jobs.append((user, colours.count, id))
                let record = try await deployment.waitForJob(id, within: .seconds(60))
                #expect(record["status"]?.stringValue == "completed" && record["attempts"]?.numberValue == 1, "\(record)")
                let search = try await deployment.call(
                    "POST", "/v1/memories/search", json: #"{"query":"favorite color","user_id":"\#(user)","limit":5}"#)
                let found = search.json["results"]?.arrayValue?.compactMap { $0["memory"]?.stringValue } ?? []
                #expect(found == ["Favorite color is black"], "\(user)'s new colour searchable at once: \(search.text)")
            }
            for user in users {
                let list = try await deployment.call("GET", "/v1/memories?user_id=\(user)")
                let memories = list.json["results"]?.arrayValue ?? []
                #expect(
                    memories.compactMap { $0["memory"]?.stringValue } == ["Favorite color is black"],
                    "one memory per user, the last colour: \(list.text)")
                let id = try #require(memories.first?["id"]?.stringValue)
                let history = try await deployment.call("GET", "/v1/memories/\(id)/history")
                let sequence = history.json["results"]?.arrayValue?.compactMap { $0["new_memory"]?.stringValue } ?? []
                #expect(
                    sequence == colours.indices.map { "Favorite color is \(colour(user, $0))" } + ["Favorite color is black"],
                    "\(user)'s jobs applied in order")
            }
            return (jobs.map { $0.id }, workers)
        }
        // Each job was completed by exactly one worker process, and both processes worked.
        let completions = finished.1.map { worker in
            worker.log.split(separator: "\n").filter { $0.contains("job completed") }.compactMap { line in
                finished.0.first { line.contains($0) }
            }
        }
        #expect(completions.flatMap { $0 }.sorted() == finished.0.sorted(), "each job completed once across the worker processes")
        #expect(completions.allSatisfy { !$0.isEmpty }, "both worker processes ran jobs: \(completions.map(\.count))")
    }

    @Test("a worker killed mid-job: after its lease runs out, the other worker completes the job, once")
    func killedWorkerJobIsCompletedByTheOther() async throws {
        let facts = #"{"facts":[{"text":"Favorite kite is the red one","sources":[0],"entities":[],"relations":[]}]}"#
        try await HeldLLM.run(facts: facts) { llm, requests in
            let deployment = try await WorkerDeployment.make()
            try await runStopping(deployment) {
                try await deployment.startServe(["PIKA_JOB_LEASE_SECONDS": "2"])
                let llmSettings = [
                    "PIKA_EXTRACTOR": "llm", "PIKA_LLM_BASE_URL": llm.absoluteString, "PIKA_LLM_MODEL": "test",
                    "PIKA_JOB_LEASE_SECONDS": "2",
                ]
                let doomed = try await deployment.startWorker("worker-doomed", llmSettings)
                let id = try await deployment.submit("I fly kites", user: "pilot")
                // The first worker claims the job and hangs in its LLM request.
                let deadline = ContinuousClock.now + .seconds(30)
                while requests() < 1 {
                    guard ContinuousClock.now < deadline else { throw ChildProcessFailure("no LLM request within 30 s", child: doomed) }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let survivor = try await deployment.startWorker("worker-survivor", llmSettings)
                // Beyond the 2 s lease: the hung worker's heartbeat keeps the job from the second worker.
                try await Task.sleep(for: .seconds(3))
                #expect(requests() == 1, "the job was not claimed twice while its worker lived")
                doomed.kill9()
                let killed = ContinuousClock.now
                try await doomed.waitForExit(within: .seconds(10))
                let job = try await deployment.waitForJob(id, within: .seconds(30))
                #expect(ContinuousClock.now - killed > .seconds(1), "the job waited for the lease to run out")
                #expect(job["status"]?.stringValue == "completed", "\(job)")
                #expect(job["attempts"]?.numberValue == 2, "the killed attempt and the survivor's: \(job)")
                #expect(requests() == 2)
                let list = try await deployment.call("GET", "/v1/memories?user_id=pilot")
                #expect(
                    list.json["results"]?.arrayValue?.compactMap { $0["memory"]?.stringValue } == ["Favorite kite is the red one"],
                    "one memory: \(list.text)")
                try await survivor.waitForLog("job completed", within: .seconds(5))
                #expect(survivor.log.contains(id), "the surviving worker completed the job")
            }
        }
    }

    /// Runs `body` and stops the deployment (kills its processes, drops its database) however it ends.
    private func runStopping<T: Sendable>(_ deployment: WorkerDeployment, _ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            await deployment.stop()
            return value
        } catch {
            await deployment.stop()
            throw error
        }
    }
}
