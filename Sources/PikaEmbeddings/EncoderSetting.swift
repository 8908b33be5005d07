import Foundation

/// A setting of the native encoders that one environment variable selects, its values being the
/// cases' raw values (``EmbeddingPrecision``, ``QuerySplitting``): one way to read and refuse them.
public protocol EncoderSetting: RawRepresentable<String>, CaseIterable, Sendable {
    /// The environment variable that selects the setting.
    static var environmentKey: String { get }
    /// What an unknown value is said not to be ("precision", "setting").
    static var noun: String { get }
}

extension EncoderSetting {
    /// The setting `environment` selects: `fallback` when the variable is unset or empty.
    ///
    /// - Throws: ``EmbeddingError/Code/invalidArgument`` naming the variable, the value and the
    ///   values it may take, when the value is none of them.
    static func value(in environment: [String: String], default fallback: Self) throws(EmbeddingError) -> Self {
        guard let value = environment[environmentKey], !value.isEmpty else { return fallback }
        guard let setting = Self(rawValue: value) else {
            let known = allCases.map(\.rawValue).joined(separator: ", ")
            throw EmbeddingError(.invalidArgument, "\(environmentKey)=\(value) is not a known \(noun) (expected one of: \(known))")
        }
        return setting
    }

    /// `option` when set, else what this process's environment selects (`fallback` when unset).
    ///
    /// - Throws: as ``value(in:default:)``.
    static func chosen(_ option: Self?, default fallback: Self) throws(EmbeddingError) -> Self {
        if let option { return option }
        return try value(in: ProcessInfo.processInfo.environment, default: fallback)
    }
}
