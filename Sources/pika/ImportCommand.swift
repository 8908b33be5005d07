import ArgumentParser
import Foundation
import Logging
import PikaDataStore
import PikaEmbeddings
import PikaMemory
import PikaRelational
import PikaService

/// `pika import --data-dir D --tenant T --user U [--in FILE]`: takes back JSONL written by
/// `pika export` or `GET /v1/users/{id}/export`. Ids are kept; lines the user already has are
/// skipped, so importing twice changes nothing. Every line is parsed and checked before anything
/// is written, and the memories are committed in one transaction: a bad line (reported with its
/// number, exit 2) or a conflict (exit 1) imports nothing.
///
/// Texts are embedded with the data directory's embedder (`--embedder`, `$PIKA_EMBEDDER`, as for
/// `pika serve`). A missing data directory is created. While `pika serve` owns the directory, the
/// checked lines go to it through the control channel and it embeds and commits them (same rules).
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import a user's memories from JSONL (GET /v1/users/{id}/export's format).")

    @OptionGroup var options: UserDataOptions
    @Option(name: .customLong("in"), help: "Input file (default: standard input).") var input: String?
    @Option(help: "minilm | e5-small | hashing | openai ($PIKA_EMBEDDER, default minilm); must be the data directory's.") var embedder:
        String?
    @Option(name: .customLong("model-dir"), help: "MiniLM model directory ($PIKA_MODEL_DIR).") var modelDirectory: String?

    func run() async throws {
        let source = input ?? "<stdin>"
        let data: Data
        if let input {
            guard let contents = FileManager.default.contents(atPath: input) else { throw fail("cannot read \(input)", status: 2) }
            data = contents
        } else {
            data = FileHandle.standardInput.readDataToEndOfFile()
        }
        let lines = try Self.parse(data, source: source)
        guard !lines.isEmpty else { throw fail("\(source): no export lines; nothing was imported", status: 2) }
        if let answer = try await importThroughService(lines) {
            FileHandleStderr.write("pika: the running service imported \(lines.count) lines into \(options.scope)\n")
            print(answer)
            return
        }
        let database = try options.openDatabase(create: true)
        var overrides = ["PIKA_DATA_DIR": options.directory]
        if let embedder { overrides["PIKA_EMBEDDER"] = embedder }
        if let modelDirectory { overrides["PIKA_MODEL_DIR"] = modelDirectory }
        let embedder: any Embedder
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(environment: ProcessInfo.processInfo.environment, overrides: overrides)
            try await Reembedding.requireNoConversion(in: options.directory, database: database)
            embedder = try PikaServer.makeEmbedder(configuration)
            try await PikaServer.pinEmbedder(embedder, in: database)
        } catch let error as ConfigurationError {
            throw fail(error.description, status: 2)
        } catch {
            throw fail("cannot load the embedder: \(error)", status: 2)
        }
        var logger = Logger(label: "pika-import")
        logger.logLevel = .error
        // The one writer of the segment store: refused (exit 1) while `pika serve` owns the directory.
        let store: SegmentMemoryStore
        do {
            store = try await SegmentMemoryStore.open(
                serviceDirectory: options.directory, database: database, dimension: embedder.dimension,
                scanCopies: configuration.scanCopies, logger: logger)
        } catch let error as MemoryError {
            throw fail("\(error.message) (while pika serve runs, import with POST /v1/users/{id}/import)", status: 1)
        }
        let manager = try await MemoryManager(
            store: store, graph: SQLiteGraphStore(database: database), embedder: embedder,
            extractor: RuleExtractor(), loadsIndex: false, logger: logger)
        let outcome: (imported: Int, skipped: Int)
        do {
            outcome = try await manager.importLines(lines, scope: options.scope) { done, total in
                Progress("embed", total: total).update(done)
            }
        } catch let error as MemoryError {
            throw fail("\(error.message); nothing was imported", status: 1)
        }
        try await store.seal()
        FileHandleStderr.write(
            "pika: imported \(outcome.imported), skipped \(outcome.skipped) of \(lines.count) lines into \(options.scope)\n")
        print("{\"imported\":\(outcome.imported),\"skipped\":\(outcome.skipped)}")
    }

    /// Hands the checked lines to the `pika serve` owning the data directory (its control channel),
    /// which embeds and commits them all or none; nil when no service runs there.
    private func importThroughService(_ lines: [ExportLine]) async throws -> String? {
        var query = URLComponents()
        query.queryItems = [
            URLQueryItem(name: "tenant", value: options.scope.tenant), URLQueryItem(name: "user_id", value: options.scope.userID),
        ]
        if let embedder { query.queryItems?.append(URLQueryItem(name: "embedder", value: embedder)) }
        let body = try lines.map { try $0.jsonLine() }.joined(separator: "\n")
        return try await ControlClient.post(
            directory: options.directory, path: "/internal/v1/import?" + (query.percentEncodedQuery ?? ""), body: body)
    }

    /// Every non-blank line as an export line, checked as the HTTP import checks it (``ImportLines``);
    /// the first bad line stops the command with its number (exit 2).
    static func parse(_ data: Data, source: String) throws -> [ExportLine] {
        guard let text = String(validating: data, as: UTF8.self) else { throw fail("\(source): not UTF-8", status: 2) }
        do throws(ImportLines.Failure) {
            return try ImportLines.parse(text)
        } catch {
            throw fail("\(source):\(error.line): \(error.reason)", status: 2)
        }
    }
}
