import Foundation
import PikaMemory
import PikaTestSupport
import Testing

/// The memory browser (`/ui`) in a real headless Chromium against the real `pika serve` binary: sign in,
/// users, search with scores and tier, history, edit, delete with confirmation, job status, delete a user,
/// hostile memory text, a read-only key, and the layout at 360 and 1,280 px.
@Suite("Memory browser in headless Chromium", .serialized, .blockingWork)
struct MemoryBrowserTests {
    static let script = "<script>window.__pwned = 'script'</script>"
    static let image = #"<img src=x onerror="window.__pwned = 'img'">"#

    @Test func aPersonBrowsesSearchesEditsAndDeletesMemories() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        defer {
            server.kill9()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await server.waitUntilReady()
        try await seed(server)
        let (status, created) = try await server.request("POST", "/v1/admin/keys", body: #"{"tenant":"default","role":"read"}"#)
        let readKey = try #require(created["key"] as? String, "read key: \(status) \(created)")

        let browser = try await WebDriverSession.start()
        do {
            try await browse(browser, server: server, readKey: readKey)
            await browser.stop()
        } catch {
            await browser.stop()
            throw error
        }
    }

    /// Three users; `hostile` holds text that would run as script if it were ever parsed as HTML.
    private func seed(_ server: ServerProcess) async throws {
        let memories: [(String, String)] = [
            ("minh", "Minh loves dinosaurs"), ("minh", "Minh lives in Hanoi"), ("minh", "Minh has a dog named Max"),
            ("lan", "Lan plays the violin"), ("hostile", Self.script), ("hostile", Self.image),
        ]
        for (user, text) in memories {
            let body = try String(
                decoding: JSONEncoder().encode(
                    JSONValue.object([
                        "user_id": .string(user), "messages": .string(text), "infer": .bool(false), "async": .bool(false),
                    ])), as: UTF8.self)
            let (status, reply) = try await server.request("POST", "/v1/memories", body: body)
            try #require(status == 200, "seeding \(user): \(status) \(reply)")
        }
    }

    private func browse(_ browser: WebDriverSession, server: ServerProcess, readKey: String) async throws {
        let page = "http://127.0.0.1:\(server.port)/ui"
        try await browser.open(page)
        try await browser.waitFor("!document.getElementById('signin-view').hidden", "the sign-in form")

        // A wrong key is refused and not kept.
        try await browser.type("#signin-key", "not-a-key-0123456789")
        try await browser.click("#signin button[type=submit]")
        try await browser.waitFor("document.getElementById('status').classList.contains('error')", "the refusal")
        #expect(try await browser.run("return sessionStorage.getItem('pika.apiKey');") == .null)

        // Signed in: the key is in session storage only, never in the URL or a cookie.
        try await browser.type("#signin-key", server.key)
        try await browser.click("#signin button[type=submit]")
        try await browser.waitFor("document.querySelectorAll('#users button.user').length === 3", "three users")
        #expect(try await browser.run("return document.getElementById('who-role').textContent;") == .string("admin"))
        #expect(try await browser.run("return sessionStorage.getItem('pika.apiKey');") == .string(server.key))
        #expect(try await browser.run("return location.href;") == .string(page))
        #expect(try await browser.run("return document.cookie;") == .string(""))
        let users = try await browser.run(
            """
            return [...document.querySelectorAll('#users button.user')].map(b => b.dataset.user + '=' + b.querySelector('.count').textContent).sort();
            """)
        #expect(users == .array(["hostile=2", "lan=1", "minh=3"].map(JSONValue.string)))

        // A user's memories, count and chart.
        try await browser.click("#users button.user[data-user='minh']")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length === 3", "minh's three memories")
        try await browser.waitFor("document.querySelector('#chart svg rect.bar-rect')", "the chart")
        #expect(try await browser.run("return document.getElementById('user-count').textContent;") == .string("3 memories"))

        // Search: scores, and the tier that answered (a fresh user's first search reaches the engine).
        try await browser.type("#search-query", "dinosaurs")
        try await browser.click("#search-form button[type=submit]")
        try await browser.waitFor("!document.getElementById('search-box').hidden", "search results")
        #expect(try await browser.run("return document.getElementById('search-tier').textContent;") == .string("engine"))
        let top = try await browser.run(
            """
            const first = document.querySelector('#search-results .memory');
            return [first.querySelector('.text').textContent, first.querySelector('.score').textContent];
            """)
        #expect(top.arrayValue?.first == .string("Minh loves dinosaurs"))
        #expect(Double(top.arrayValue?.last?.stringValue ?? "") != nil, "score shown: \(top)")

        // History of a memory, then an edit, which history records.
        let dinosaurs =
            "[...document.querySelectorAll('#memories .memory')].find(m => m.querySelector('.text').textContent.includes('dinosaurs'))"
        try await browser.run("\(dinosaurs).querySelector('.history-toggle').click();")
        try await browser.waitFor("\(dinosaurs).querySelector('.history .entry')", "the memory's history")
        #expect(try await browser.run("return \(dinosaurs).querySelector('.history .entry strong').textContent;") == .string("ADD"))
        try await browser.run("\(dinosaurs).querySelector('button.edit').click();")
        try await browser.type("#memories .edit-form .edit-text", "Minh loves dinosaurs and volcanoes")
        try await browser.click("#memories .edit-form button.save")
        try await browser.waitFor("\(dinosaurs).querySelector('.text').textContent.includes('volcanoes')", "the edited text")
        try await browser.run("\(dinosaurs).querySelector('.history-toggle').click();")
        try await browser.waitFor(
            "[...\(dinosaurs).querySelectorAll('.history .entry strong')].some(e => e.textContent === 'UPDATE')", "UPDATE in history")

        // Delete with confirmation: cancel keeps it, confirm removes it from the page and the service.
        let hanoi = "[...document.querySelectorAll('#memories .memory')].find(m => m.querySelector('.text').textContent.includes('Hanoi'))"
        let hanoiID = try #require(try await browser.run("return \(hanoi).dataset.id;").stringValue)
        try await browser.run("\(hanoi).querySelector('button.delete').click();")
        try await answerConfirmation(browser, "#confirm-cancel")
        try await browser.waitFor("!document.getElementById('confirm').open", "the dialog closed")
        #expect(try await browser.run("return !!\(hanoi);") == .bool(true))
        try await browser.run("\(hanoi).querySelector('button.delete').click();")
        try await answerConfirmation(browser, "#confirm-ok")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length === 2", "the memory gone")
        #expect(try await server.request("GET", "/v1/memories/\(hanoiID)").0 == 404)

        // Adding a memory shows its job until it completes.
        try await browser.type("#add-text", "My favourite colour is green")
        try await browser.click("#add-form button[type=submit]")
        try await browser.waitFor("document.querySelector('#job-result dd.ok')", "the job completed")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length >= 3", "the added memory listed")

        try await checkLayout(browser)
        try await checkHostileText(browser)

        // Delete a user, with confirmation.
        try await browser.click("#users button.user[data-user='lan']")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length === 1", "lan's memory")
        try await browser.click("#delete-user")
        try await answerConfirmation(browser, "#confirm-ok")
        try await browser.waitFor("document.querySelectorAll('#users button.user').length === 2", "lan gone from the users")
        let (_, lanPage) = try await server.request("GET", "/v1/memories?user_id=lan")
        #expect((lanPage["results"] as? [Any])?.isEmpty == true, "lan's memories after deleting lan: \(lanPage)")

        // Signing out forgets the key.
        try await browser.click("#signout")
        try await browser.waitFor("!document.getElementById('signin-view').hidden", "the sign-in form again")
        #expect(try await browser.run("return sessionStorage.getItem('pika.apiKey');") == .null)

        // A read-only key sees memories and history but no edit, delete or add controls.
        try await browser.type("#signin-key", readKey)
        try await browser.click("#signin button[type=submit]")
        try await browser.waitFor("document.querySelectorAll('#users button.user').length === 2", "the users, read-only")
        #expect(try await browser.run("return document.getElementById('who-role').textContent;") == .string("read"))
        try await browser.click("#users button.user[data-user='minh']")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length >= 3", "minh's memories, read-only")
        let controls = try await browser.run(
            """
            return ['#delete-user', '#add-box', '#add-form', 'button.edit', 'button.delete'].filter(s => document.querySelector(s));
            """)
        #expect(controls == .array([]), "edit controls shown to a read-only key: \(controls)")
        let historyButtons = try await browser.run(
            "return document.querySelectorAll('#memories .history-toggle').length - document.querySelectorAll('#memories .memory').length;")
        #expect(historyButtons == .number(0), "every memory offers its history")

        // The page ran under its policy without a single violation (no inline script or style anywhere).
        let violations = try await browser.consoleMessages().filter { $0.contains("Content Security Policy") }
        #expect(violations.isEmpty, "CSP violations: \(violations)")
    }

    /// Waits for the confirmation dialog and presses `button` in it.
    private func answerConfirmation(_ browser: WebDriverSession, _ button: String) async throws {
        try await browser.waitFor("document.getElementById('confirm').open", "the confirmation")
        try await browser.click(button)
    }

    /// Memory text that is markup shows as the characters typed, in the list and in search results, and nothing runs.
    private func checkHostileText(_ browser: WebDriverSession) async throws {
        try await browser.click("#users button.user[data-user='hostile']")
        try await browser.waitFor("document.querySelectorAll('#memories .memory').length === 2", "the hostile memories")
        try await browser.run("document.getElementById('search-mode').value = 'keyword';")
        try await browser.type("#search-query", "img onerror script pwned")
        try await browser.click("#search-form button[type=submit]")
        try await browser.waitFor("document.querySelectorAll('#search-results .memory').length >= 1", "hostile search results")
        let texts = try await browser.run("return [...document.querySelectorAll('#memories .memory .text')].map(e => e.textContent);")
        #expect(texts == .array([.string(Self.script), .string(Self.image)]))
        #expect(try await browser.run("return typeof window.__pwned;") == .string("undefined"))
        #expect(try await browser.run("return document.querySelectorAll('#detail img, #detail script').length;") == .number(0))
        let searched = try await browser.run(
            "return [...document.querySelectorAll('#search-results .memory .text')].map(e => e.textContent);")
        #expect(searched.arrayValue?.allSatisfy { $0 == .string(Self.script) || $0 == .string(Self.image) } == true, "\(searched)")
    }

    /// At 1,280 px the users sit beside the user; at 360 px they stack. Either way nothing is wider than
    /// the viewport and the key parts are on screen. Screenshots go to `$PIKA_UI_SCREENSHOTS` (or a temporary directory).
    private func checkLayout(_ browser: WebDriverSession) async throws {
        let shots = ProcessInfo.processInfo.environment["PIKA_UI_SCREENSHOTS"] ?? NSTemporaryDirectory() + "pika-ui-screenshots"
        try FileManager.default.createDirectory(atPath: shots, withIntermediateDirectories: true)
        for width in [1280, 360] {
            try await browser.setViewport(width: width, height: 900)
            try await browser.waitFor("window.innerWidth === \(width)", "a \(width) px viewport", diagnostic: "window.innerWidth")
            try await browser.run("window.dispatchEvent(new Event('resize'));")
            let layout = try await browser.run(
                """
                const box = (s) => { const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
                const parts = ['#users', '#memories', '#search-form', '#chart svg', '.bar', '#job-form'];
                return {
                  overflow: document.documentElement.scrollWidth - window.innerWidth,
                  outside: parts.filter(s => { const [l, t, r, b] = box(s); return r - l < 40 || l < 0 || r > window.innerWidth + 0.5 || b <= t; }),
                  side: box('#side'), detail: box('#detail'),
                };
                """)
            #expect((layout["overflow"]?.numberValue ?? 1) <= 0, "\(width) px: page wider than the viewport: \(layout)")
            #expect(layout["outside"] == .array([]), "\(width) px: parts off screen or collapsed: \(layout)")
            let side = layout["side"]?.arrayValue?.compactMap(\.numberValue) ?? []
            let detail = layout["detail"]?.arrayValue?.compactMap(\.numberValue) ?? []
            try #require(side.count == 4 && detail.count == 4)
            if width >= 900 {
                #expect(side[2] <= detail[0], "1280 px: users beside the user: \(layout)")
            } else {
                #expect(side[3] <= detail[1], "360 px: users above the user: \(layout)")
            }
            try await browser.run("window.scrollTo(0, 0);")  // the header, the users and the chart in view
            let png = try await browser.screenshot()
            try png.write(to: URL(fileURLWithPath: "\(shots)/memory-browser-\(width).png"))
            #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            let pngWidth = png.count > 24 ? png[16..<20].reduce(0) { $0 << 8 | Int($1) } : 0
            #expect(pngWidth == width, "screenshot \(pngWidth) px wide at a \(width) px viewport")
        }
        try await browser.setViewport(width: 1280, height: 900)
    }
}
