import ArgumentParser

/// `pika index`: build and query vector indexes from interchange files.
struct IndexCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Build, search and inspect vector indexes.",
        subcommands: [
            IndexBuildCommand.self, IndexSearchCommand.self, IndexInfoCommand.self, IndexStatsCommand.self,
            IndexVerifyCommand.self, IndexRebuildCommand.self, IndexCompactCommand.self, IndexReembedCommand.self,
        ]
    )
}
