import ArgumentParser

@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Switchboard's load generator and benchmarks. Build with -c release before measuring.",
        discussion: """
            Scenarios run against a server already started (the README's command), on loopback only, \
            and stop by themselves. Each checks correctness and exits non-zero on a violation. \
            Method and figures: BENCHMARKS.md.
            """,
        subcommands: [
            HoldScenario.self, FanoutScenario.self, ClaimStormScenario.self, WorkdayScenario.self, SnapshotScenario.self,
            PeersScenario.self, SeedCommand.self, StoreQueriesBenchmark.self, WorkerCommand.self,
        ])
}
