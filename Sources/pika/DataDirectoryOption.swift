import ArgumentParser
import PikaMemory

/// `--data-dir D`, shared by the storage commands.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (written by `pika index build` or the service).")
    var path: String
}

/// A string as a JSON string literal (``JSONValue/jsonText``).
func jsonString(_ s: String) -> String { JSONValue.string(s).jsonText }
