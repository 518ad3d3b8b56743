import ArgumentParser
import Foundation
import NIOHTTP1

/// `hold`: N agents connect and subscribe (a list with a realistic filter plus the three tab
/// badges), then idle. Reports the connect rate, resident memory per connection and idle CPU.
struct HoldScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold", abstract: "Connect and subscribe N agents, then idle.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Sockets (simulated agents' browser tabs).")
    var agents: Int = 1_000

    @Option(help: "Distinct agent accounts the sockets log in as (sockets share them round-robin).")
    var accounts: Int = 100

    @Option(help: "Seconds to idle once everyone is subscribed.")
    var idleSeconds: Int = 10

    @Option(help: "Every n-th socket keeps its lists and has them verified at the end.")
    var trackEvery: Int = 50

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: min(accounts, agents))
        let sockets = (0..<agents).map { number in
            let agent = workspace.agents[number % workspace.agents.count]
            return SocketPlan(
                token: agent.token, agentId: agent.id, subscriptions: [FilterMix.list(number, workspace: workspace)] + FilterMix.tabs,
                tracked: number % max(1, trackEvery) == 0, subject: nil, acts: false, transferTargets: nil)
        }
        let before = context.probe?.read()
        let metricsBefore = await context.metrics()
        let runner = try await ScenarioRunner.start(context, sockets: sockets, template: options.template())
        let connected = context.probe?.read()
        try await Task.sleep(for: .seconds(idleSeconds))
        let idled = context.probe?.read()
        let metricsAfter = await context.metrics()
        let report = try await runner.finish()

        var result = ScenarioResult(scenario: "hold")
        result.add("sockets (4 subscriptions each)", "sockets", agents)
        result.add("connect + subscribe, all sockets", "connectSeconds", runner.connectSeconds, unit: "s")
        result.add("connect rate", "connectsPerSecond", Double(report.subscribed) / runner.connectSeconds, unit: "sockets/s")
        result.addLatency("subscribe → snapshot", "subscribeLatency", report.subscribeLatency)
        if let connected, let idled {
            result.add("server idle CPU (share of one core)", "idleCpuCores", ServerProbe.coreShare(from: connected, to: idled))
        }
        result.addServer(before: before, after: connected, metricsBefore: metricsBefore, metricsAfter: metricsAfter, connections: report.connected)
        result.addWorkerFigures(report, seconds: 0)
        if report.subscribed != agents { result.violations.append("\(agents - report.subscribed) sockets never got their snapshots") }
        if !report.disconnects.isEmpty { result.violations.append("sockets closed while idle: \(report.disconnects)") }
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }
}
