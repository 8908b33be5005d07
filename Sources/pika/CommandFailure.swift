import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

/// Reports a failure as one line on stderr and exits with `status`.
///
/// Bad input files exit with 2 (as the interchange contract promises), engine refusals with 1.
func fail(_ message: String, status: Int32) -> ExitCode {
    FileHandleStderr.write("pika: error: \(message)\n")
    return ExitCode(status)
}

/// Unbuffered writes to standard error (stdout carries results only).
enum FileHandleStderr {
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}

/// A single-line progress indicator on stderr, drawn only when stderr is a terminal.
struct Progress {
    let label: String
    let total: Int
    private let enabled = isatty(2) != 0

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandleStderr.write("\r\(label) [\(bar)] \(done)/\(total)")
        if done >= total { FileHandleStderr.write("\n") }
    }
}
