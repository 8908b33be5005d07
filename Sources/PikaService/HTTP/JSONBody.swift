import Foundation
import Hummingbird
import PikaMemory

/// Strict reading of JSON request bodies and writing of JSON responses.
enum JSONBody {
    static let maxBytes = 1 << 20
    /// An add's body may be larger: up to 200 messages of up to 100,000 characters each are
    /// accepted, and a conversation of 200 messages of 20,000 characters (about 4 MB) must fit.
    static let addMaxBytes = 8 << 20

    /// The body's bytes, at most `limit` (413 beyond).
    static func buffer(_ request: Request, upTo limit: Int = maxBytes) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(
                .contentTooLarge, "body_too_large",
                "request body exceeds \(limit % (1 << 20) == 0 ? "\(limit >> 20) MiB" : "\(limit) bytes")")
        }
    }

    /// The body as text: at most `limit` bytes, valid UTF-8 (400 `invalid_utf8` otherwise).
    static func text(_ request: Request, upTo limit: Int = maxBytes) async throws -> String {
        let buffer = try await buffer(request, upTo: limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Problem.badRequest("invalid_utf8", "request body is not valid UTF-8")
        }
        return text
    }

    /// The body as a JSON object, read by ``JSONReader`` straight from the received bytes: 413 past
    /// `limit` (1 MiB unless the route says more), 400 `invalid_utf8` when it is not UTF-8, 400
    /// `malformed_json` when it is not JSON or not an object. An empty body is `[:]` when
    /// `emptyIsObject` (the Mem0 SDK sends none on some calls), else a 400 too.
    static func object(_ request: Request, emptyIsObject: Bool = false, upTo limit: Int = maxBytes) async throws -> [String: JSONValue] {
        let buffer = try await buffer(request, upTo: limit)
        guard buffer.readableBytes > 0 else {
            if emptyIsObject { return [:] }
            throw Problem.badRequest("malformed_json", "request body is empty; a JSON object is expected")
        }
        let value: JSONValue
        do throws(JSONReader.Failure) {
            value = try JSONReader.parse(buffer.readableBytesView)
        } catch {
            switch error.kind {
            case .invalidUTF8: throw Problem.badRequest("invalid_utf8", "request body is not valid UTF-8 (byte \(error.offset))")
            case .syntax:
                throw Problem.badRequest("malformed_json", "request body is not valid JSON: \(error.reason) at byte \(error.offset)")
            }
        }
        guard let object = value.objectValue else { throw Problem.badRequest("malformed_json", "request body must be a JSON object") }
        return object
    }

    /// A 2xx JSON response of an `Encodable`.
    static func response(_ status: HTTPResponse.Status = .ok, _ value: some Encodable) throws -> Response {
        let data = try CanonicalJSON.data(of: value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    /// A 200 JSON response of text that already is JSON.
    static func rawResponse(_ json: String) throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
    }
}

/// Typed access to a JSON object's fields, each failure a 400 naming the field.
struct Fields {
    let object: [String: JSONValue]

    func string(_ name: String, required: Bool = false, maxLength: Int = 10_000) throws -> String? {
        guard let value = object[name], value != .null else {
            if required { throw Problem.badRequest("missing_field", "\(name) is required") }
            return nil
        }
        guard let text = value.stringValue else { throw Problem.badRequest("invalid_type", "\(name) must be a string") }
        guard text.count <= maxLength else { throw Problem.badRequest("too_long", "\(name) exceeds \(maxLength) characters") }
        return text
    }

    func id(_ name: String, required: Bool = false) throws -> String? {
        guard let text = try string(name, required: required, maxLength: 1000) else { return nil }
        guard Identifiers.isValid(text) else {
            throw Problem.badRequest("invalid_id", "\(name) must be 1-128 characters of letters, digits and _-.:@")
        }
        return text
    }

    func bool(_ name: String) throws -> Bool? {
        guard let value = object[name], value != .null else { return nil }
        guard case .bool(let flag) = value else { throw Problem.badRequest("invalid_type", "\(name) must be a boolean") }
        return flag
    }

    func number(_ name: String) throws -> Double? {
        guard let value = object[name], value != .null else { return nil }
        guard let number = value.numberValue, number.isFinite else {
            throw Problem.badRequest("invalid_type", "\(name) must be a number")
        }
        return number
    }

    func metadata(_ name: String) throws -> [String: JSONValue]? {
        guard let value = object[name], value != .null else { return nil }
        guard let dict = value.objectValue else { throw Problem.badRequest("invalid_type", "\(name) must be an object") }
        guard dict.count <= 64 else { throw Problem.badRequest("too_large", "\(name) has more than 64 keys") }
        return dict
    }

    func limit(_ name: String = "limit", default value: Int) throws -> Int {
        guard let number = try number(name) else { return value }
        guard number == number.rounded(), (1...100).contains(number) else {
            throw Problem.badRequest("invalid_limit", "\(name) must be an integer 1...100")
        }
        return Int(number)
    }
}
