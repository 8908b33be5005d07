import Foundation
import PikaMemory
import Testing

@testable import PikaService

@Suite("Mem0 filters and query values")
struct Mem0FilterTests {
    static func record(
        user: String = "alice", agent: String? = nil, text: String = "I have a dog", metadata: [String: JSONValue] = [:],
        created: String = "2024-07-10T12:00:00Z"
    ) -> MemoryRecord {
        let date = Mem0Dates.parse(created)!
        return MemoryRecord(
            id: UUID().uuidString.lowercased(), scope: MemoryScope(tenant: "t", userID: user), agentID: agent, text: text,
            metadata: metadata, createdAt: date, updatedAt: date)
    }

    static func filter(_ json: String) throws -> Mem0Filter {
        try Mem0Filter.parse(try JSONReader.parse(json))
    }

    @Test func readsThePythonLiteralTheSDKPutsInTheQueryString() {
        #expect(
            Mem0QueryValue.parse("{'user_id': 'alice', 'n': 2, 'ok': True, 'no': None}")
                == .object(["user_id": .string("alice"), "n": .number(2), "ok": .bool(true), "no": .null]))
        #expect(
            Mem0QueryValue.parse(#"{"AND": [{"user_id": "bob"}]}"#)
                == .object(["AND": .array([.object(["user_id": .string("bob")])])]))
        #expect(Mem0QueryValue.parse("{'a': ('x', 'it\\'s')}") == .object(["a": .array([.string("x"), .string("it's")])]))
        #expect(Mem0QueryValue.parse("{'a': ") == nil)
        #expect(Mem0QueryValue.parse("{'a': 1} trailing") == nil)
    }

    @Test func entityIdsDatesTextWildcardsAndMetadata() throws {
        let f = try Self.filter(#"{"AND": [{"user_id": "alice"}, {"created_at": {"gte": "2024-07-01", "lt": "2024-08-01"}}]}"#)
        #expect(f.users == .named(["alice"]))
        #expect(f.matches(Self.record()))
        #expect(!f.matches(Self.record(created: "2024-08-02T00:00:00Z")))
        #expect(!f.matches(Self.record(user: "bob")))
        let wildcard = try Self.filter(#"{"user_id": "alice", "agent_id": "*"}"#)
        #expect(wildcard.matches(Self.record(agent: "tutor")) && !wildcard.matches(Self.record()))
        let text = try Self.filter(#"{"keywords": {"icontains": "DOG"}}"#)
        #expect(text.matches(Self.record()) && text.users == .any)
        let nested = try Self.filter(#"{"OR": [{"user_id": "alice"}, {"user_id": "bob"}], "metadata": {"topic": {"in": ["pets"]}}}"#)
        #expect(nested.users == .named(["alice", "bob"]))
        #expect(nested.matches(Self.record(user: "bob", metadata: ["topic": .string("pets")])))
        #expect(!nested.matches(Self.record(user: "bob", metadata: ["topic": .string("food")])))
        #expect(throws: Problem.self) { try Self.filter(#"{"user_id": {"regex": "a.*"}}"#) }
    }

    @Test func theEngineGetsAnExactFilterOnlyWhenOneExists() throws {
        let ids = try Self.filter(#"{"AND": [{"user_id": "alice"}, {"agent_id": {"in": ["a", "b"]}}, {"topic": "pets"}]}"#)
        let specialized = ids.specialized(userID: "alice").simplified()
        let engine = try #require(specialized.engineFilter())
        let record = Self.record(agent: "a", metadata: ["topic": .string("pets")])
        #expect(engine.matches(record) && specialized.matches(record))
        #expect(ids.specialized(userID: "bob").simplified().engineFilter() == .or([]))
        #expect(
            try Self.filter(#"{"user_id": "alice", "created_at": {"gte": "2024-01-01"}}"#)
                .specialized(userID: "alice").simplified().engineFilter() == nil)
        #expect(try Self.filter(#"{"user_id": "alice"}"#).specialized(userID: "alice").simplified().isEverything)
    }
}
