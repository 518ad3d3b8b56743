import ArgumentParser
import Foundation
import NIOHTTP1

/// `snapshot`: how long a subscription takes to answer with its first page and exact total on
/// the workspace as it is (grow it with `loadtest seed`). S sockets each subscribe R times in a
/// row, cycling through the filter mix, one request at a time.
struct SnapshotScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "snapshot", abstract: "Subscribe latency for first pages on the workspace as it is.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Sockets subscribing at the same time.")
    var sockets: Int = 20

    @Option(help: "Subscriptions per socket, one after the other.")
    var rounds: Int = 50

    @Option(help: "Agent accounts (an agent's visibility rule is part of the query).")
    var accounts: Int = 20

    @Option(help: "Page size of each subscription (the first page).")
    var pageSize: Int = 50

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: accounts)
        let counts = try await context.api.call(.GET, "/api/v1/conversations/counts", token: workspace.adminToken)
        let filters = (0..<10).map { number -> SubscriptionPlan in
            var plan = FilterMix.list(number, workspace: workspace)
            plan.pageSize = pageSize
            return plan
        }
        let plans = (0..<sockets).map { number -> SocketPlan in
            let agent = workspace.agents[number % workspace.agents.count]
            var plan = SocketPlan(token: agent.token, agentId: agent.id, subscriptions: [], tracked: false, subject: nil, acts: true, transferTargets: nil)
            plan.snapshotRounds = rounds
            plan.snapshotFilters = filters
            return plan
        }
        let runner = try await ScenarioRunner.start(context, sockets: plans, template: options.template())
        let before = context.probe?.read()
        let started = monotonicNanos()
        runner.pool.send("go")
        _ = try await runner.pool.waitAll("acted", timeout: .seconds(900))
        let seconds = Double(monotonicNanos() - started) / 1e9
        let after = context.probe?.read()
        let report = try await runner.finish()

        var result = ScenarioResult(scenario: "snapshot")
        result.add("workspace conversations (all)", "workspaceConversations", counts["all"] as? Int ?? -1)
        result.add("sockets × rounds", "subscriptions", "\(sockets) × \(rounds)")
        result.add("page size", "pageSize", pageSize)
        result.addLatency("subscribe → snapshot (page + exact total)", "snapshotLatency", report.snapshotLatency)
        result.add("snapshots per second", "snapshotsPerSecond", Double(report.snapshotLatency.count) / seconds)
        result.addServer(before: before, after: after, metricsBefore: nil, metricsAfter: nil, connections: 0)
        result.addWorkerFigures(report, seconds: 0)
        if report.snapshotLatency.count != UInt64(sockets * rounds) {
            result.violations.append("\(sockets * rounds - Int(report.snapshotLatency.count)) subscriptions got no snapshot")
        }
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }
}

/// `seed`: grows the workspace with N conversations from new customers, through the inbound API
/// as a connection would (for the snapshot scenario's 100,000 and 1,000,000).
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Add N conversations through the inbound API.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Conversations to add.")
    var conversations: Int = 10_000

    @Option(help: "Requests in flight.")
    var concurrency: Int = 32

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: 1)
        let customers = Customers(workspace: workspace)
        let started = monotonicNanos()
        let progress = IDBox()
        let outcome = await paced(total: conversations, rate: 1e9, concurrency: concurrency) { number in
            try await customers.write(handle: customers.handle(number), text: "Olá, quero um orçamento")
            if number % 10_000 == 9_999 {
                progress.append(number)
                Console.line("  … \(number + 1) conversations")
            }
        }
        let seconds = Double(monotonicNanos() - started) / 1e9
        Console.line(String(format: "added %d conversations in %.1f s (%.0f/s); errors: %@", outcome.sent, seconds, Double(outcome.sent) / seconds, outcome.errors.description))
        if !outcome.errors.isEmpty { throw ExitCode(1) }
    }
}
