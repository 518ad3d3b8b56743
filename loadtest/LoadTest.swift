import ArgumentParser

import Foundation

@main
struct LoadTest: AsyncParsableCommand {
    static func main() async {
        // A worker that died must not kill the coordinator through a broken pipe: the write fails instead.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

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
            PeersScenario.self, SeedCommand.self, StoreQueriesBenchmark.self, StoreClaimsBenchmark.self, WorkerCommand.self,
        ])
}
