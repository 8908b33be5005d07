/// Cursors of `GET /v1/users`: the last user id of the page. Any valid user id is a position (the
/// page starts after it in user id order), so a cursor needs no signature and no server state.
enum UserCursor {
    static func encode(_ userID: String) -> String { userID }

    /// The user id of `text`; nil when it is not a valid user id.
    static func decode(_ text: String) -> String? { Identifiers.isValid(text) ? text : nil }
}
