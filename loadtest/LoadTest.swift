import ArgumentParser

@main
struct LoadTest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Switchboard's load generator and benchmarks. Build with -c release before measuring.",
        subcommands: [StoreQueriesBenchmark.self])
}
