import Foundation

/// LoCoMo conversations (Maharana et al., ACL 2024): one JSON array of conversations, each with
/// `sample_id`, `conversation` (`session_N` turn lists with `session_N_date_time`) and `qa`.
///
/// Each conversation becomes one user; each question is a search for that user, judged by its
/// `evidence` dia_ids. Evidence strings holding several ids (separated by `;`, `,` or spaces) are
/// split, and ids naming no turn of the conversation are skipped (see SOURCE.md of the dataset).
public struct LoCoMoDataset: Sendable {
    /// One dialogue turn.
    public struct Turn: Sendable, Hashable {
        /// The turn id, e.g. `"D1:3"` (session 1, turn 3).
        public var diaID: String
        /// Who spoke.
        public var speaker: String
        /// What was said.
        public var text: String
        /// The session number (the N of `session_N`).
        public var session: Int
        /// The session's `session_N_date_time`, as written.
        public var dateTime: String

        /// Creates a turn.
        public init(diaID: String, speaker: String, text: String, session: Int, dateTime: String) {
            self.diaID = diaID
            self.speaker = speaker
            self.text = text
            self.session = session
            self.dateTime = dateTime
        }
    }

    /// One question.
    public struct Question: Sendable, Hashable {
        /// The question text.
        public var text: String
        /// 1 multi-hop, 2 temporal, 3 open-domain, 4 single-hop, 5 adversarial.
        public var category: Int
        /// The dia_ids of the turns that hold the answer (existing turns only).
        public var evidence: [String]

        /// Creates a question.
        public init(text: String, category: Int, evidence: [String]) {
            self.text = text
            self.category = category
            self.evidence = evidence
        }
    }

    /// One of LoCoMo's per-session observations: a fact about one speaker, written from the turns
    /// named by `diaIDs` (`observation.session_N_observation[speaker]`, gpt-3.5-turbo's silver facts).
    public struct Observation: Sendable, Hashable {
        /// The session number.
        public var session: Int
        /// Whom the fact is about (the key it is listed under).
        public var speaker: String
        /// The fact.
        public var text: String
        /// The turns it was written from, as given (usually one).
        public var diaIDs: [String]

        /// Creates an observation.
        public init(session: Int, speaker: String, text: String, diaIDs: [String]) {
            self.session = session
            self.speaker = speaker
            self.text = text
            self.diaIDs = diaIDs
        }
    }

    /// One conversation: one user's history and the questions about it.
    public struct Conversation: Sendable, Hashable {
        /// The conversation's `sample_id`.
        public var sampleID: String
        /// Every turn, session by session, in order.
        public var turns: [Turn]
        /// The questions.
        public var questions: [Question]
        /// The observations, session by session (empty when the file has none).
        public var observations: [Observation]

        /// Creates a conversation.
        public init(sampleID: String, turns: [Turn], questions: [Question], observations: [Observation] = []) {
            self.sampleID = sampleID
            self.turns = turns
            self.questions = questions
            self.observations = observations
        }

        /// The turns grouped by session, in session order, with each session's date as written.
        public var sessions: [(number: Int, dateTime: String, turns: [Turn])] {
            var result: [(number: Int, dateTime: String, turns: [Turn])] = []
            for turn in turns {
                if result.last?.number == turn.session {
                    result[result.count - 1].turns.append(turn)
                } else {
                    result.append((turn.session, turn.dateTime, [turn]))
                }
            }
            return result
        }
    }

    /// Category names, by number.
    public static let categoryNames = [1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop", 5: "adversarial"]

    /// The conversations, in file order.
    public var conversations: [Conversation]

    /// Creates a dataset from parts.
    public init(conversations: [Conversation]) { self.conversations = conversations }

    /// Loads a LoCoMo JSON file, or the single `.json` file inside a directory.
    /// - Throws: ``EvaluationError`` naming the file and the conversation and key that are malformed.
    public static func load(path: String) throws(EvaluationError) -> LoCoMoDataset {
        let file = try resolve(path)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw EvaluationError(.fileNotFound, "cannot read the file", file: file)
        }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw EvaluationError(.malformedDocument, "not valid JSON (\(error.localizedDescription))", file: file)
        }
        guard let items = root as? [[String: Any]] else {
            throw EvaluationError(.malformedDocument, "expected a JSON array of conversation objects", file: file)
        }
        var conversations: [Conversation] = []
        for (index, item) in items.enumerated() {
            conversations.append(try conversation(item, index: index, file: file))
        }
        guard !conversations.isEmpty else { throw EvaluationError(.emptyDataset, "no conversation", file: file) }
        return LoCoMoDataset(conversations: conversations)
    }

    private static func resolve(_ path: String) throws(EvaluationError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EvaluationError(.fileNotFound, "no such file or directory", file: path)
        }
        guard isDirectory.boolValue else { return path }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".json") }
        guard names.count == 1, let name = names.first else {
            throw EvaluationError(
                .fileNotFound, "expected exactly one .json file in the directory, found \(names.count)", file: path)
        }
        return path + "/" + name
    }

    private static func conversation(
        _ item: [String: Any], index: Int, file: String
    ) throws(EvaluationError)
        -> Conversation
    {
        let sampleID = (item["sample_id"] as? String) ?? "#\(index)"
        func fail(_ message: String) -> EvaluationError {
            EvaluationError(.malformedDocument, "conversation \(sampleID) (item \(index)): \(message)", file: file)
        }
        guard let body = item["conversation"] as? [String: Any] else { throw fail("missing object \"conversation\"") }
        guard let qa = item["qa"] as? [[String: Any]] else { throw fail("missing array \"qa\"") }
        let sessions = body.keys.compactMap { key -> Int? in
            guard key.hasPrefix("session_"), !key.hasSuffix("date_time") else { return nil }
            return Int(key.dropFirst("session_".count))
        }.sorted()
        guard !sessions.isEmpty else { throw fail("no session_N turn list") }
        var turns: [Turn] = []
        for session in sessions {
            guard let list = body["session_\(session)"] as? [[String: Any]] else {
                throw fail("\"session_\(session)\" is not an array of turn objects")
            }
            let dateTime = body["session_\(session)_date_time"] as? String ?? ""
            for (position, turn) in list.enumerated() {
                guard let diaID = turn["dia_id"] as? String, let speaker = turn["speaker"] as? String,
                    let text = turn["text"] as? String
                else {
                    throw fail("session_\(session) turn \(position): needs string fields dia_id, speaker and text")
                }
                turns.append(Turn(diaID: diaID, speaker: speaker, text: text, session: session, dateTime: dateTime))
            }
        }
        let known = Set(turns.map(\.diaID))
        var questions: [Question] = []
        for (position, entry) in qa.enumerated() {
            guard let text = entry["question"] as? String else { throw fail("qa[\(position)]: missing \"question\"") }
            guard let category = (entry["category"] as? NSNumber)?.intValue else {
                throw fail("qa[\(position)]: missing integer \"category\"")
            }
            guard let evidence = entry["evidence"] as? [String] else {
                throw fail("qa[\(position)]: \"evidence\" is not an array of strings")
            }
            let ids = evidence.flatMap { $0.split(whereSeparator: { ";, ".contains($0) }).map(String.init) }
            var unique: [String] = []
            for id in ids where known.contains(id) && !unique.contains(id) { unique.append(id) }
            questions.append(Question(text: text, category: category, evidence: unique))
        }
        let observations = try observations(item["observation"], sessions: Set(sessions), fail: fail)
        return Conversation(sampleID: sampleID, turns: turns, questions: questions, observations: observations)
    }

    /// Parses `observation` (`session_N_observation` → speaker → `[[fact, dia_id or [dia_id]]]`);
    /// an absent object gives no observations.
    private static func observations(
        _ value: Any?, sessions: Set<Int>, fail: (String) -> EvaluationError
    ) throws(EvaluationError) -> [Observation] {
        guard let value else { return [] }
        guard let body = value as? [String: Any] else { throw fail("\"observation\" is not an object") }
        var result: [Observation] = []
        let keyed = body.keys.compactMap { key -> (Int, String)? in
            guard key.hasPrefix("session_"), key.hasSuffix("_observation") else { return nil }
            return Int(key.dropFirst("session_".count).dropLast("_observation".count)).map { ($0, key) }
        }.sorted { $0.0 < $1.0 }
        for (session, key) in keyed {
            guard sessions.contains(session) else { throw fail("\"\(key)\" names a session the conversation does not have") }
            guard let speakers = body[key] as? [String: Any] else { throw fail("\"\(key)\" is not an object of speakers") }
            for speaker in speakers.keys.sorted() {
                guard let facts = speakers[speaker] as? [Any] else {
                    throw fail("\"\(key)\".\(speaker) is not an array of [fact, dia_id] pairs")
                }
                for (position, fact) in facts.enumerated() {
                    let pair = fact as? [Any] ?? []
                    let ids = pair.count == 2 ? (pair[1] as? [String] ?? (pair[1] as? String).map { [$0] }) : nil
                    guard let text = pair.first as? String, let ids else {
                        throw fail("\"\(key)\".\(speaker)[\(position)] is not a [fact, dia_id] pair")
                    }
                    let split = ids.flatMap { $0.split(whereSeparator: { ";, ".contains($0) }).map(String.init) }
                    result.append(Observation(session: session, speaker: speaker, text: text, diaIDs: split))
                }
            }
        }
        return result
    }
}
