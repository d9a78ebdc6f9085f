import ArgumentParser

@main
struct CRMGate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crmgate",
        abstract: "Import, deduplicate, sync and export CRM records (leads, customers, opportunities, tasks).",
        discussion: """
            Exit codes: 0 success; 3 rows were rejected and --fail-on-reject was given; 64 usage error;
            65 the input or mapping is malformed (nothing imported); 66 the input cannot be read;
            74 the store or an output file failed; 69 a remote failed after retries; 75 a sync job's lease is held;
            78 a remote profile or job file is wrong, or a secret it names is missing.
            """,
        subcommands: [ImportCommand.self, DedupeCommand.self, ReviewCommand.self, ExportCommand.self, MappingCommand.self, CSVCommand.self, XMLCommand.self, ImportsCommand.self, LeadsCommand.self, OpportunitiesCommand.self, TasksCommand.self, RemoteCommand.self, SyncCommand.self, JobsCommand.self, ConflictsCommand.self, RunsCommand.self, UndoCommand.self])
}

/// Options every command that touches the store shares.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The store file (SQLite).")
    var store: String = "crmgate.sqlite"
}
