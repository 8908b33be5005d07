import Foundation
import PikaMemory
import PikaTestSupport

/// A headless Chromium driven through Debian's `chromedriver` over the W3C WebDriver protocol (plain
/// JSON over HTTP): just the commands the memory browser's tests use.
///
/// ``start()`` spawns chromedriver on a free loopback port and opens a session; ``stop()`` ends the
/// session (which closes Chromium) and then kills chromedriver. Nothing is downloaded: both binaries
/// come from the `chromium` and `chromium-driver` packages that scripts/setup.sh installs.
final class WebDriverSession: Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"
    /// The W3C key of an element reference in WebDriver replies.
    private static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let driver: ChildProcess
    let port: Int
    let sessionID: String
    private let profile: String

    private init(driver: ChildProcess, port: Int, sessionID: String, profile: String) {
        self.driver = driver
        self.port = port
        self.sessionID = sessionID
        self.profile = profile
    }

    /// Starts chromedriver and a headless Chromium session 1,280 px wide; fails naming scripts/setup.sh
    /// when either binary is missing.
    static func start() async throws -> WebDriverSession {
        for binary in [chromium, chromedriver] where !FileManager.default.isExecutableFile(atPath: binary) {
            throw ChildProcessFailure("\(binary) is missing: run scripts/setup.sh (it installs Debian's chromium and chromium-driver)")
        }
        let port = try freeLoopbackPort()
        let profile = NSTemporaryDirectory() + "pika-chromium-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: profile, withIntermediateDirectories: true)
        let driver = try ChildProcess(
            name: "chromedriver", executable: chromedriver, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": profile])
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? send(port, "GET", "/status", nil))?["value"]?["ready"] != .bool(true) {
            guard !driver.hasExited else { throw ChildProcessFailure("chromedriver exited during start-up", child: driver) }
            guard ContinuousClock.now < deadline else {
                driver.kill9()  // a failed start leaves no process behind
                throw ChildProcessFailure("chromedriver not ready within 60 s", child: driver)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Headless, no sandbox (tests may run as root in a container), nothing fetched in the background.
        let arguments: [JSONValue] =
            ([
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-sync", "--window-size=1280,900",
                "--user-data-dir=\(profile)/data", "--lang=en-US",
            ] as [String]).map(JSONValue.string)
        let capabilities: JSONValue = .object([
            "capabilities": .object([
                "alwaysMatch": .object([
                    "browserName": .string("chrome"),
                    "goog:chromeOptions": .object(["binary": .string(chromium), "args": .array(arguments)]),
                    "goog:loggingPrefs": .object(["browser": .string("ALL")]),
                ])
            ])
        ])
        let reply: JSONValue
        do {
            reply = try send(port, "POST", "/session", capabilities)
        } catch {
            driver.kill9()
            throw ChildProcessFailure("no Chromium session: \(error)", child: driver)
        }
        guard let id = reply["value"]?["sessionId"]?.stringValue else {
            driver.kill9()
            throw ChildProcessFailure("no Chromium session: \(reply)", child: driver)
        }
        return WebDriverSession(driver: driver, port: port, sessionID: id, profile: profile)
    }

    /// Ends the session (closing Chromium) and kills chromedriver.
    func stop() async {
        _ = try? await command("DELETE", "")
        driver.kill9()
        try? await driver.waitForExit(within: .seconds(10))
        try? FileManager.default.removeItem(atPath: profile)
    }

    // MARK: Commands

    /// Loads `url` and waits for its `load` event.
    func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": .string(url)]) }

    /// Runs `script` (a function body; `arguments[i]` are `arguments`) in the page and returns its result.
    @discardableResult
    func run(_ script: String, _ arguments: [JSONValue] = []) async throws -> JSONValue {
        try await command("POST", "/execute/sync", ["script": .string(script), "args": .array(arguments)])
    }

    /// Polls `condition` (a JavaScript expression) until it is true; fails with `what` and `diagnostic`'s value after `timeout`.
    func waitFor(
        _ condition: String, _ what: String, timeout: Duration = .seconds(30),
        diagnostic: String = "document.getElementById('status').textContent"
    )
        async throws
    {
        let deadline = ContinuousClock.now + timeout
        while try await run("return !!(\(condition));") != .bool(true) {
            guard ContinuousClock.now < deadline else {
                let seen = (try? await run("return String(\(diagnostic));"))?.stringValue ?? "?"
                throw ChildProcessFailure("browser: \(what) not seen within \(timeout) (\(condition)); page says: \(seen)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The reference of the first element matching a CSS selector.
    func element(_ selector: String) async throws -> String {
        let reply = try await command("POST", "/element", ["using": .string("css selector"), "value": .string(selector)])
        guard let id = reply[Self.elementKey]?.stringValue else { throw ChildProcessFailure("browser: no element \(selector): \(reply)") }
        return id
    }

    /// Clicks the first element matching `selector`, as a user would (scrolled into view, hit-tested).
    func click(_ selector: String) async throws {
        _ = try await command("POST", "/element/\(try await element(selector))/click", [:])
    }

    /// Clears the field matching `selector` and types `text` into it.
    func type(_ selector: String, _ text: String) async throws {
        let id = try await element(selector)
        _ = try await command("POST", "/element/\(id)/clear", [:])
        _ = try await command("POST", "/element/\(id)/value", ["text": .string(text)])
    }

    /// Makes the viewport `width` × `height` CSS pixels at device scale 1 (a phone at 360).
    func setViewport(width: Int, height: Int) async throws {
        _ = try await command(
            "POST", "/goog/cdp/execute",
            [
                "cmd": .string("Emulation.setDeviceMetricsOverride"),
                "params": .object([
                    "width": .number(Double(width)), "height": .number(Double(height)), "deviceScaleFactor": .number(1),
                    "mobile": .bool(width < 600),
                ]),
            ])
    }

    /// A PNG of the viewport.
    func screenshot() async throws -> Data {
        guard let text = try await command("GET", "/screenshot").stringValue, let png = Data(base64Encoded: text) else {
            throw ChildProcessFailure("browser: screenshot was not base64")
        }
        return png
    }

    /// The browser console's messages so far (chromedriver's log extension).
    func consoleMessages() async throws -> [String] {
        let entries = try await command("POST", "/se/log", ["type": .string("browser")])
        return (entries.arrayValue ?? []).compactMap { $0["message"]?.stringValue }
    }

    private func command(_ method: String, _ path: String, _ body: [String: JSONValue]? = nil) async throws -> JSONValue {
        let reply = try Self.send(port, method, "/session/" + sessionID + path, body.map(JSONValue.object))
        if let error = reply["value"]?["error"]?.stringValue {
            throw ChildProcessFailure("WebDriver \(method) \(path): \(error): \(reply["value"]?["message"]?.stringValue ?? "")")
        }
        return reply["value"] ?? .null
    }

    private static func send(_ port: Int, _ method: String, _ path: String, _ body: JSONValue?) throws -> JSONValue {
        let reply = try LoopbackHTTP.exchange(port: port, method: method, path: path, body: try body.map { try JSONEncoder().encode($0) })
        return (try? JSONReader.parse(reply.body)) ?? .null
    }
}
