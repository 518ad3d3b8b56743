import ArgumentParser

@main
struct Switchboard: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchboard",
        abstract: "A real-time multi-agent inbox server.",
        subcommands: [ServeCommand.self, MigrateCommand.self, DemoCommand.self, CreateWorkspaceCommand.self],
        defaultSubcommand: ServeCommand.self)
}
