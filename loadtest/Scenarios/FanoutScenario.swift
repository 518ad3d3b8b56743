import ArgumentParser
import Foundation
import NIOHTTP1

/// `fanout`: N subscribers with a mix of filters while customers write M messages per second
/// through the inbound API. Reports end-to-end latency (from the inbound request's send to the
/// change's arrival at each subscriber) and deliveries per second, for each rate of `--rates`.
struct FanoutScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout", abstract: "Subscribers with mixed filters under a stream of changes.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Subscribing sockets.")
    var subscribers: Int = 1_000

    @Option(help: "Distinct agent accounts the sockets log in as.")
    var accounts: Int = 100

    @Option(help: "Changes (inbound messages) per second; several comma-separated values run one step each.")
    var rates: String = "50"

    @Option(help: "Seconds per step.")
    var seconds: Int = 10

    @Option(help: "Conversations the messages go to (leads with random tags, departments, stages).")
    var conversations: Int = 200

    @Option(help: "Every n-th socket parses everything and has its list verified at the end.")
    var trackEvery: Int = 20

    @Flag(help: "Also subscribe each socket to the three tab counts.")
    var tabs = false

    @Flag(help: "Every socket subscribes to the loadtest connection's open conversations (a filter every change matches) instead of the mix.")
    var matchAll = false

    func run() async throws {
        let rateSteps = rates.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !rateSteps.isEmpty, rateSteps.allSatisfy({ $0 > 0 }) else { throw ValidationError("--rates needs positive numbers") }
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: min(accounts, subscribers))
        let customers = Customers(workspace: workspace)
        Console.line("seeding \(conversations) leads and conversations")
        // Match-all means every subscriber sees every change: leads without departments are
        // visible to every agent (§7.1).
        let handles = try await customers.seed(count: conversations, seed: options.seed, departments: !matchAll)
        let matchAllPlan = SubscriptionPlan(
            sub: "list", filter: #"{"statuses":["open"],"connectionIds":[\#(workspace.connectionId)]}"#, pageSize: 50, newestFirst: true)
        let sockets = (0..<subscribers).map { number in
            let agent = workspace.agents[number % workspace.agents.count]
            let list = matchAll ? matchAllPlan : FilterMix.list(number, workspace: workspace)
            return SocketPlan(
                token: agent.token, agentId: agent.id, subscriptions: [list] + (tabs ? FilterMix.tabs : []),
                tracked: number % max(1, trackEvery) == 0, subject: nil, acts: false, transferTargets: nil)
        }
        let runner = try await ScenarioRunner.start(context, sockets: sockets, template: options.template())
        var result = ScenarioResult(scenario: "fanout")
        result.add("subscribers", "subscribers", subscribers)
        result.add("filters", "filters", matchAll ? "match every change" : "mix of 10 (all/mine/unassigned/department/connection/tag/stage/status)")
        result.add("connect + subscribe, all sockets", "connectSeconds", runner.connectSeconds, unit: "s")
        var steps: [[String: Any]] = []
        _ = try await runner.mark()
        for rate in rateSteps {
            let before = context.probe?.read()
            let metricsBefore = await context.metrics()
            let started = monotonicNanos()
            let outcome = await customers.stream(rate: rate, seconds: Double(seconds), handles: handles)
            let elapsed = Double(monotonicNanos() - started) / 1e9
            let after = context.probe?.read()
            try await Task.sleep(for: .seconds(2))  // the last changes' deliveries
            let metricsAfter = await context.metrics()
            let step = try await runner.mark()
            let latency = step.latency.summary
            let cpu = (before != nil && after != nil) ? ServerProbe.coreShare(from: before!, to: after!) : 0
            let pushes = (metricsAfter?.sum("switchboard_deliveries_total") ?? 0) - (metricsBefore?.sum("switchboard_deliveries_total") ?? 0)
            steps.append([
                "rate": rate, "sent": outcome.sent, "publishErrors": outcome.errors, "achievedRate": Double(outcome.sent) / elapsed,
                "deliveries": step.deliveries, "deliveriesPerSecond": Double(step.deliveries) / elapsed,
                "serverPushes": pushes, "serverCpuCores": cpu,
                "p50": latency.p50, "p90": latency.p90, "p99": latency.p99, "p999": latency.p999, "max": latency.max,
            ])
            Console.line(String(format: "rate %.0f/s: sent %d (%.0f/s), deliveries %d (%.0f/s), latency p50 %.2f p99 %.2f p99.9 %.2f max %.2f ms, server CPU %.2f",
                                rate, outcome.sent, Double(outcome.sent) / elapsed, step.deliveries, Double(step.deliveries) / elapsed,
                                latency.p50, latency.p99, latency.p999, latency.max, cpu))
            if !outcome.errors.isEmpty { Console.line("  publish errors: \(outcome.errors)") }
        }
        let report = try await runner.finish()
        result.add("steps", "steps", steps.map { step in
            String(format: "%.0f/s→%.0f deliveries/s p99 %.2f ms", step["rate"] as! Double, step["deliveriesPerSecond"] as! Double, step["p99"] as! Double)
        }.joined(separator: "; "))
        result.json["steps"] = steps
        if let best = steps.filter({ ($0["p99"] as! Double) < 50 && ($0["deliveries"] as! Int) > 0 }).max(by: { ($0["rate"] as! Double) < ($1["rate"] as! Double) }) {
            result.add("highest rate with p99 < 50 ms", "sustainedRate", best["rate"] as! Double, unit: "changes/s")
        }
        result.addWorkerFigures(report, seconds: 0)
        if !report.disconnects.isEmpty { result.violations.append("sockets closed during the run: \(report.disconnects)") }
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }
}
