/// Opaque cursors of `GET /v1/users`: base64url of `u1:<user_id>` (the last user of the page).
enum UserCursor {
    static func encode(_ userID: String) -> String { CursorText.encode(tag: "u1", userID) }

    /// The user id of a cursor this API issued; nil for anything else.
    static func decode(_ text: String) -> String? {
        guard let userID = CursorText.decode(tag: "u1", text, maxLength: 200), Identifiers.isValid(userID) else { return nil }
        return userID
    }
}
