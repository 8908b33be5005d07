import Foundation
import Hummingbird
import PikaMemory

/// JSON helpers of the Mem0 routes.
enum Mem0JSON {
    /// The request body as an object; an empty body is an empty object (the SDK sends none on some calls).
    static func body(_ request: Request) async throws -> [String: JSONValue] {
        let data = try await JSONBody.bytes(request)
        guard !data.isEmpty else { return [:] }
        let value = try? data.withUnsafeBytes { try JSONReader.parse($0.bindMemory(to: UInt8.self)) }
        guard let object = value?.objectValue else {
            throw Problem.badRequest("malformed_json", "request body must be a JSON object")
        }
        return object
    }

    /// A 200 JSON object response.
    static func response(_ object: [String: JSONValue]) throws -> Response {
        try JSONBody.response(.ok, object)
    }

    /// An `Encodable` as a JSON object, to add members to.
    static func object(_ value: some Encodable) throws -> [String: JSONValue] {
        let data = try JSONEncoder().encode(value)
        return try JSONDecoder().decode(JSONValue.self, from: data).objectValue ?? [:]
    }

    /// Encodable values as JSON values.
    static func values(_ items: [some Encodable]) throws -> [JSONValue] {
        try items.map { .object(try object($0)) }
    }
}

/// An add job's result (`{"results":[{id, memory, event}]}`) in Mem0's shape.
enum Mem0AddResults {
    /// `[{id, memory, event, data: {memory}}]`; empty when the job has no result yet.
    static func list(_ result: String?) -> [JSONValue] {
        guard let result, let value = try? JSONDecoder().decode(JSONValue.self, from: Data(result.utf8)),
            let items = value.objectValue?["results"]?.arrayValue
        else { return [] }
        return items.compactMap { item in
            guard var object = item.objectValue else { return nil }
            object["data"] = .object(["memory": object["memory"] ?? .null])
            return .object(object)
        }
    }
}
