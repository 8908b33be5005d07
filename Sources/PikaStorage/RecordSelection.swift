import Foundation

/// Which of a tenant's live records ``DataDirectory/records(tenant:selecting:)`` returns, decided
/// from each record's label and attribute alone: a sealed record is checked against its checksum
/// and skimmed for those two fields, and only the records selected are decoded. A user's block
/// is about a thousand records; decoding all of them (a dozen strings each, every one validated
/// as UTF-8) to keep a few was the read path's largest cost (docs/benchmarks-archive.md).
public enum RecordSelection: Sendable, Hashable {
    /// The records with one of these labels.
    case labels(Set<UInt64>)
    /// The records whose attribute equals this one (`String` equality).
    case attribute(String)
    /// The records whose attribute starts with one of these prefixes (`String.hasPrefix`).
    case attributePrefixes([String])
}

/// A ``RecordSelection`` prepared for many records: the wanted attribute bytes computed once.
///
/// Attributes compare bytewise when both sides are ASCII (the extractors' slots: `name`,
/// `favorite_color`, `pref:…`), which is then exactly `String` equality and `hasPrefix`; any other
/// pair is compared as `String`s, so canonically equivalent spellings (a Kelvin sign and a K)
/// still match as they always did.
struct RecordMatcher {
    private let labels: Set<UInt64>?
    private let exact: String?
    private let exactBytes: [UInt8]?
    private let prefixes: [String]
    private let prefixBytes: [[UInt8]?]

    init(_ selection: RecordSelection) {
        var labels: Set<UInt64>?
        var exact: String?
        var prefixes: [String] = []
        switch selection {
        case .labels(let wanted): labels = wanted
        case .attribute(let attribute): exact = attribute
        case .attributePrefixes(let wanted): prefixes = wanted
        }
        self.labels = labels
        self.exact = exact
        exactBytes = exact.flatMap(Self.asciiBytes)
        self.prefixes = prefixes
        prefixBytes = prefixes.map(Self.asciiBytes)
    }

    /// Whether a decoded record (the growing segment's) is selected.
    func matches(_ record: StoredRecord) -> Bool {
        if let labels { return labels.contains(record.label) }
        return matches(attribute: record.attribute)
    }

    /// Whether the record skimmed as `keys` is selected.
    func matches(_ keys: RecordKeys) -> Bool {
        if let labels { return labels.contains(keys.label) }
        guard let raw = keys.attribute else { return false }
        let ascii = Self.isASCII(raw)
        if exact != nil {
            guard ascii, let wanted = exactBytes else { return matches(attribute: String(validating: raw, as: UTF8.self)) }
            return raw.elementsEqual(wanted)
        }
        for (prefix, wanted) in zip(prefixes, prefixBytes) {
            if ascii, let wanted {
                if raw.count >= wanted.count && raw.prefix(wanted.count).elementsEqual(wanted) { return true }
            } else if let attribute = String(validating: raw, as: UTF8.self), attribute.hasPrefix(prefix) {
                return true
            }
        }
        return false
    }

    private func matches(attribute: String?) -> Bool {
        guard let attribute else { return false }
        if let exact { return attribute == exact }
        return prefixes.contains { attribute.hasPrefix($0) }
    }

    /// The string's bytes when comparing them is comparing the strings: ASCII, and not ending in a
    /// carriage return (which joins a following line feed into one `Character`).
    private static func asciiBytes(_ s: String) -> [UInt8]? {
        let bytes = Array(s.utf8)
        return bytes.allSatisfy({ $0 < 0x80 }) && bytes.last != 0x0D ? bytes : nil
    }

    private static func isASCII(_ raw: UnsafeRawBufferPointer) -> Bool {
        raw.allSatisfy { $0 < 0x80 }
    }
}

extension DataDirectory {
    /// The live records of `tenant` that `selection` selects, growing segment included (any order).
    ///
    /// Like ``records(tenant:)`` but decoding only the selected records: every sealed record of
    /// the tenant's block is still checked against its checksum, so a damaged record is reported
    /// (`corruptFile` naming its file), not skipped.
    public func records(tenant: UInt32, selecting selection: RecordSelection) throws(StorageError) -> [StoredRecord] {
        try selected(tenant: tenant, RecordMatcher(selection), vectors: false).map(\.record)
    }

    /// ``records(tenant:selecting:)`` with each record's stored vector.
    public func entries(
        tenant: UInt32, selecting selection: RecordSelection
    ) throws(StorageError) -> [(record: StoredRecord, vector: [Float])] {
        try selected(tenant: tenant, RecordMatcher(selection), vectors: true)
    }

    private func selected(
        tenant: UInt32, _ matcher: RecordMatcher, vectors: Bool
    ) throws(StorageError) -> [(record: StoredRecord, vector: [Float])] {
        let (growing, segments, deleted) = state.withLock { s in
            (
                s.growing.records.compactMap { slot, record -> (record: StoredRecord, vector: [Float])? in
                    guard record.tenant == tenant, matcher.matches(record) else { return nil }
                    guard vectors else { return (record, []) }
                    return (try? s.growing.index.vector(for: slot)).map { (record, $0) }
                }, s.segments, s.deleted
            )
        }
        var out = growing
        for segment in segments {
            guard let rows = segment.rows(ofTenant: tenant) else { continue }
            let gone = deleted[segment.id] ?? Bitmap()
            for row in rows where !gone.contains(row) {
                guard matcher.matches(try segment.keys(at: row)) else { continue }
                out.append((try segment.record(at: row), vectors ? segment.vector(at: row) : []))
            }
        }
        return out
    }
}
