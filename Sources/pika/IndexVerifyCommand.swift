import ArgumentParser
import PikaStorage

/// `pika index verify`: checks every checksum of every file; exit status 1 on damage.
struct IndexVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum of a data directory; exit status 1 if anything is damaged.",
        discussion: "Prints one line per file (ok or DAMAGED with the error), then a JSON summary. Changes nothing."
    )

    @OptionGroup var dataDir: DataDirectoryOption

    func run() throws {
        let report = DataDirectory.verify(at: IndexDirectory.resolve(dataDir.path))
        for file in report.files {
            if let error = file.error {
                print("DAMAGED \(file.kind) \(file.file): \(error.code): \(error.message)")
            } else {
                print("ok      \(file.kind) \(file.file)")
            }
        }
        let damaged = report.files.filter { $0.error != nil }.count
        print(#"{"files":\#(report.files.count),"damaged":\#(damaged),"healthy":\#(report.isHealthy)}"#)
        if !report.isHealthy {
            if report.files.first?.error?.code == .notFound { throw ExitCode(2) }
            throw ExitCode(1)
        }
    }
}
