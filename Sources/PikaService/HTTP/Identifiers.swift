import Foundation

/// Validation of ids that arrive in paths, queries and bodies.
public enum Identifiers {
    /// A user, agent or run id: 1–`maxLength` characters of letters, digits and `_ - . : @`, never `..`.
    public static func isValid(_ id: String, maxLength: Int = 128) -> Bool {
        guard !id.isEmpty, id.count <= maxLength, !id.contains("..") else { return false }
        return id.unicodeScalars.allSatisfy { scalar in
            (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_-.:@".unicodeScalars.contains(scalar)))
        }
    }

    /// A memory or job id: a UUID, returned lowercased.
    public static func uuid(_ id: String) -> String? {
        guard id.count == 36, UUID(uuidString: id) != nil else { return nil }
        return id.lowercased()
    }
}
