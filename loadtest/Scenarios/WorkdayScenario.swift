import ArgumentParser
import Foundation
import NIOHTTP1

/// `workday`: a realistic mix for a set time. Customers write at a steady rate; every agent keeps
/// Mine, Unassigned and one more list from the filter mix open and, a few times a minute,
/// claims, replies, finishes, transfers, releases or bulk-finishes from what its lists show.
/// Every list is verified against a fresh snapshot at the end.
struct WorkdayScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workday", abstract: "Customers writing and agents working, for a set duration.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Agents, one socket and one account each.")
    var agents: Int = 200

    @Option(help: "Customer messages per second (inbound API).")
    var customerRate: Double = 20

    @Option(help: "Actions per agent per second (0.2 = one every five seconds).")
    var actionRate: Double = 0.2

    @Option(help: "Duration in seconds.")
    var seconds: Int = 30

    @Option(help: "Customers (leads) writing.")
    var conversations: Int = 300

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: agents)
        let customers = Customers(workspace: workspace)
        Console.line("seeding \(conversations) leads and conversations")
        let handles = try await customers.seed(count: conversations, seed: options.seed)
        let agentIds = workspace.agents.map(\.id)
        let sockets = workspace.agents.prefix(agents).enumerated().map { number, agent in
            SocketPlan(
                token: agent.token, agentId: agent.id,
                subscriptions: [
                    SubscriptionPlan(sub: "mine", filter: #"{"scope":"mine","statuses":["open"]}"#, pageSize: 50, newestFirst: true),
                    SubscriptionPlan(sub: "unassigned", filter: #"{"scope":"unassigned","statuses":["open"],"connectionIds":[\#(workspace.connectionId)]}"#, pageSize: 50, newestFirst: true),
                    FilterMix.list(number, workspace: workspace),
                ] + FilterMix.tabs,
                tracked: true, subject: nil, acts: true, transferTargets: agentIds.filter { $0 != agent.id }.shuffled().prefix(5).map { $0 })
        }
        var template = options.template()
        template.actionsPerSecond = actionRate
        let runner = try await ScenarioRunner.start(context, sockets: Array(sockets), template: template)
        let before = context.probe?.read()
        let metricsBefore = await context.metrics()
        let started = monotonicNanos()
        runner.pool.send("go")
        let outcome = await customers.stream(rate: customerRate, seconds: Double(seconds), handles: handles)
        let elapsed = Double(monotonicNanos() - started) / 1e9
        let after = context.probe?.read()
        let metricsAfter = await context.metrics()
        let report = try await runner.finish()

        var result = ScenarioResult(scenario: "workday")
        result.add("agents / customers", "agentsAndCustomers", "\(agents) / \(conversations)")
        result.add("duration", "seconds", elapsed, unit: "s")
        result.add("customer messages sent", "customerMessages", outcome.sent)
        if !outcome.errors.isEmpty { result.add("customer message errors", "customerErrors", outcome.errors.description) }
        result.add("agent actions answered (ok)", "actions", report.actions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        result.add("agent actions refused", "actionErrors", report.actionErrors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        result.addLatency("action round trip", "actionLatency", report.actionLatency)
        result.addLatency("message sent → pushed to each list showing it", "latency", report.latency)
        result.addServer(before: before, after: after, metricsBefore: metricsBefore, metricsAfter: metricsAfter, connections: 0)
        result.addWorkerFigures(report, seconds: elapsed)
        if !report.disconnects.isEmpty { result.violations.append("sockets closed during the run: \(report.disconnects)") }
        if let internalErrors = report.actionErrors.filter({ $0.key.hasSuffix(":internal") }).values.first {
            result.violations.append("\(internalErrors) actions failed with internal errors")
        }
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }
}
