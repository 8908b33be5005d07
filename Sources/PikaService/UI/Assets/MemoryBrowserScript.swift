/// The memory browser's script (`GET /ui/app.js`), kept in a few Swift files by concern and served as
/// one file. Rule of the whole script: what comes from the API is written as text (`textContent`, text
/// nodes, attribute values set by name); no HTML is ever parsed from data.
enum MemoryBrowserScript {
    /// The script, parts in order: helpers and sign-in, users and jobs, memories and search, the chart, start-up.
    static let source = [core, users, memories, chart, start].joined(separator: "\n")

    /// Runs `boot` once every part's declarations exist (the script is deferred, so the DOM is parsed).
    static let start = "if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);\nelse boot();\n"
}
