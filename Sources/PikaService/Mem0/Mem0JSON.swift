import Foundation
import Hummingbird
import PikaMemory

/// JSON helpers of the Mem0 routes.
enum Mem0JSON {
    /// The request body as an object; an empty body is an empty object (the SDK sends none on some calls).
    /// `limit` is the largest body in bytes (1 MiB unless the route says more).
    static func body(_ request: Request, upTo limit: Int = JSONBody.maxBytes) async throws -> [String: JSONValue] {
        try await JSONBody.object(request, emptyIsObject: true, upTo: limit)
    }

    /// A 200 JSON object response.
    static func response(_ object: [String: JSONValue]) throws -> Response {
        try JSONBody.response(.ok, object)
    }

    /// An `Encodable` as a JSON object, to add members to.
    static func object(_ value: some Encodable) throws -> [String: JSONValue] {
        try JSONValue(encoding: value).objectValue ?? [:]
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
        guard let result, let value = try? JSONReader.parse(result),
            let items = value.objectValue?["results"]?.arrayValue
        else { return [] }
        return items.compactMap { item in
            guard var object = item.objectValue else { return nil }
            object["data"] = .object(["memory": object["memory"] ?? .null])
            return .object(object)
        }
    }
}
