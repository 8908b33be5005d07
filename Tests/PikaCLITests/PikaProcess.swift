import Foundation

/// Runs the built `pika` executable and captures what it prints.
struct PikaProcess {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The last non-empty stdout line parsed as a JSON object.
        var lastJSON: [String: Any]? {
            guard let line = stdout.split(separator: "\n").last,
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            else { return nil }
            return object
        }
    }

    /// `pika` sits beside the test bundle in the build directory.
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("pika").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("pika")
    }

    /// Runs `pika arguments`, with `environment` added to this process's environment.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }
}

/// A temporary directory removed when the value is released.
final class Scratch {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "pika-cli-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    /// Writes raw bytes.
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let target = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: target))
        return target
    }

    /// Writes a header (rows, columns) and 4-byte little-endian values.
    func write<T: FixedWidthInteger>(_ name: String, rows: UInt32, columns: UInt32, integers: [T]) throws -> String {
        var bytes = le(rows) + le(columns)
        for v in integers { bytes += le(UInt32(truncatingIfNeeded: v)) }
        return try write(name, bytes: bytes)
    }

    func write(_ name: String, rows: UInt32, columns: UInt32, floats: [Float]) throws -> String {
        try write(name, rows: rows, columns: columns, integers: floats.map(\.bitPattern))
    }

    private func le(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
