import ArgumentParser

@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Switchboard's load generator and benchmarks. Build with -c release before measuring.",
        discussion: "Scenarios run against a server already started (the README's command). See BENCHMARKS.md.",
        subcommands: [
            HoldScenario.self, StoreQueriesBenchmark.self, WorkerCommand.self,
        ])
}
