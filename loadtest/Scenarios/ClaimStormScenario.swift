import ArgumentParser
import Foundation
import NIOHTTP1

/// `claim-storm`: C unassigned conversations appear, K agents (distinct accounts) watch their
/// Unassigned list and, at one signal, all race to claim them, each trying the conversations in
/// its own random order and skipping what its list no longer shows, as people do. Reports claims
/// per second, claim round-trip latency, how long after the winning claim every loser's list
/// dropped the conversation, and checks exactly one winner per conversation.
struct ClaimStormScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "claim-storm", abstract: "K agents race for C unassigned conversations.")

    @OptionGroup var options: ScenarioOptions

    @Option(name: .customLong("agents"), help: "Racing agents (K), one socket and one account each.")
    var agents: Int = 1_000

    @Option(name: .customLong("conversations"), help: "Unassigned conversations to claim (C).")
    var conversations: Int = 1_000

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        let workspace = try await context.workspace(agents: agents)
        let customers = Customers(workspace: workspace)
        Console.line("creating \(conversations) unassigned conversations")
        let handles = (0..<conversations).map { customers.handle($0) }
        let ids = IDBox()
        try await forEachConcurrently(handles, limit: 16) { handle in
            let answer = try await customers.writeReturningConversation(handle: handle, text: "Quero atendimento")
            ids.append(answer)
        }
        let targets = ids.values.sorted()
        guard Set(targets).count == conversations else { throw LoadTestFailure("expected \(conversations) new conversations, got \(Set(targets).count)") }
        let unassigned = SubscriptionPlan(
            sub: "unassigned", filter: #"{"scope":"unassigned","statuses":["open"],"connectionIds":[\#(workspace.connectionId)]}"#,
            pageSize: 50, newestFirst: true)
        let sockets = workspace.agents.prefix(agents).map { agent in
            SocketPlan(token: agent.token, agentId: agent.id, subscriptions: [unassigned], tracked: true, subject: nil, acts: true, transferTargets: nil)
        }
        var template = options.template()
        template.claimTargets = targets
        let runner = try await ScenarioRunner.start(context, sockets: Array(sockets), template: template)
        let before = context.probe?.read()
        let metricsBefore = await context.metrics()
        let started = monotonicNanos()
        runner.pool.send("go")
        _ = try await runner.pool.waitAll("acted", timeout: .seconds(600))
        let seconds = Double(monotonicNanos() - started) / 1e9
        try await Task.sleep(for: .seconds(1))
        let after = context.probe?.read()
        let metricsAfter = await context.metrics()
        // The winners' send times go back to every worker to time the losers' updates.
        let firstPass = try await runner.mark()
        let wins = try JSONSerialization.data(withJSONObject: firstPass.claimsWon.mapValues { NSNumber(value: $0) })
        var report = try await runner.finish(winsJSON: String(decoding: wins, as: UTF8.self))
        // `mark` restarted the delivery counters; the storm's own deliveries are in its figures.
        report.deliveries += firstPass.deliveries
        report.messages += firstPass.messages
        report.bytes += firstPass.bytes

        var result = ScenarioResult(scenario: "claim-storm")
        result.add("agents (K) / conversations (C)", "agentsAndConversations", "\(agents) / \(conversations)")
        let attempts = Int(report.claimLatency.count)
        result.add("claim attempts (won + conflicts)", "claimAttempts", attempts)
        result.add("storm duration", "stormSeconds", seconds, unit: "s")
        result.add("claims per second (attempts)", "claimsPerSecond", Double(attempts) / seconds)
        result.addLatency("claim round trip", "claimLatency", report.claimLatency)
        result.addLatency("winning claim sent → loser's list drops it", "loserUpdateLatency", report.loserUpdateLatency)
        result.addServer(before: before, after: after, metricsBefore: metricsBefore, metricsAfter: metricsAfter, connections: 0)
        result.addWorkerFigures(report, seconds: seconds)
        // Exactly one winner per conversation: the merge flags doubles; here, that none is missing
        // and that the store agrees.
        let won = Set(report.claimsWon.keys.compactMap(Int.init))
        if won.count != conversations { result.violations.append("\(conversations - won.count) conversations without a winning claim") }
        if let failed = report.actionErrors["claim:internal"] { result.violations.append("\(failed) claims failed with internal errors") }
        if report.claimConflictsWithoutWinner > 0 { result.violations.append("\(report.claimConflictsWithoutWinner) conflicts did not name the holder") }
        let holders = try await assignees(of: targets, workspace: workspace)
        for (conversation, holder) in holders where holder == nil {
            result.violations.append("conversation \(conversation) is unassigned after the storm")
        }
        result.add("conversations held after the storm (store)", "heldAfterStorm", holders.values.compactMap { $0 }.count)
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }

    private func assignees(of conversations: [Int], workspace: LoadWorkspace) async throws -> [Int: Int?] {
        let box = AssigneeBox()
        try await forEachConcurrently(conversations, limit: 16) { id in
            let answer = try await workspace.api.call(.GET, "/api/v1/conversations/\(id)", token: workspace.adminToken)
            box.set(id, (answer["conversation"] as? [String: Any])?["assigneeId"] as? Int)
        }
        return box.values
    }
}

/// Collects ids from concurrent tasks.
final class IDBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int] = []
    func append(_ id: Int) { lock.lock(); storage.append(id); lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}

private final class AssigneeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Int: Int?] = [:]
    func set(_ id: Int, _ assignee: Int?) { lock.lock(); storage[id] = assignee; lock.unlock() }
    var values: [Int: Int?] { lock.lock(); defer { lock.unlock() }; return storage }
}
