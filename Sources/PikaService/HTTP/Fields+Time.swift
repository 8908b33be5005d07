import Foundation
import PikaMemory

extension Fields {
    /// A time field (`timestamp`, `reference_time`): Unix seconds or ISO 8601 (``RequestTime``);
    /// anything else is a 400 `invalid_argument` naming the field.
    func time(_ name: String, label: String? = nil) throws -> Date? {
        guard let value = object[name], value != .null else { return nil }
        guard let date = RequestTime.parse(value) else {
            throw Problem.badRequest(
                "invalid_argument", "\(label ?? name) must be Unix seconds or an ISO 8601 time (2023-05-08T13:56:00Z)")
        }
        return date
    }
}
