import Foundation

/// A single-valued slot of an attribute fact and whose it is: `favorite_color` of the user, or of
/// Ana when Ana said it in a conversation of several named speakers.
///
/// A slot belongs to its subject, the speaker whose statement the fact is (the message's `name`):
/// Ana's "my dog is called Max" and Ben's "my dog is called Bella" fill two slots, while Ana saying it
/// again updates hers. The subject travels inside the one attribute string that memories already
/// store (``MemoryRecord/attribute``, the segment record's attribute, the export line's
/// `attribute`), so the on-disk format does not change and every stored attribute stays readable:
///
/// - the user's own fact (a message without a speaker's name, or named `User`): the slot as it
///   always was, `favorite_color`;
/// - a named speaker's fact: `@<subject>|<slot>`, the subject the speaker's name trimmed and
///   lower-cased (one person however the name is capitalised), without `|`:
///   `@ana|favorite_color`, `@caroline|pref:pottery`.
///
/// No extractor writes a slot that starts with `@` otherwise; an attribute that starts with `@` but
/// has no `|` after it is read as a slot of the user.
public struct AttributeSlot: Sendable, Hashable {
    /// Whose slot it is: the lower-cased speaker name, nil for the user's own.
    public var subject: String?
    /// The slot (`name`, `favorite_color`, `pref:pizza` …).
    public var slot: String

    /// A slot of `subject` (nil: the user's own).
    public init(subject: String?, slot: String) {
        self.subject = subject
        self.slot = slot
    }

    /// Reads a stored attribute string.
    public init(_ attribute: String) {
        if attribute.hasPrefix("@"), let bar = attribute.firstIndex(of: "|") {
            let name = attribute[attribute.index(after: attribute.startIndex)..<bar]
            subject = name.isEmpty ? nil : String(name)
            slot = String(attribute[attribute.index(after: bar)...])
        } else {
            subject = nil
            slot = attribute
        }
    }

    /// The stored attribute string.
    public var attribute: String {
        subject.map { "@\($0)|\(slot)" } ?? slot
    }

    /// The subject a message's speaker makes of its facts: nil for no speaker, a blank one or `User`
    /// (the user's own slots), else the name trimmed, lower-cased and without `|`.
    public static func subject(speaker: String?) -> String? {
        guard let speaker else { return nil }
        let name = speaker.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().filter { $0 != "|" }
        return name.isEmpty || name == "user" ? nil : String(name.prefix(64))
    }

    /// `attribute` (a slot as an extractor states it) as the slot of `speaker`'s fact.
    public static func keyed(_ attribute: String?, speaker: String?) -> String? {
        guard let attribute, !attribute.isEmpty else { return attribute }
        return AttributeSlot(subject: subject(speaker: speaker), slot: attribute).attribute
    }

    /// Whether two attributes are known to belong to different subjects (both set, subjects differ):
    /// then neither fact can be the other's duplicate, update or retraction.
    public static func differentSubjects(_ first: String?, _ second: String?) -> Bool {
        guard let first, let second else { return false }
        return AttributeSlot(first).subject != AttributeSlot(second).subject
    }
}
