import ArgumentParser
import Foundation
import InboxCore
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

    @Option(help: "Milliseconds each socket waits after a snapshot before its ping, and after the pong before its next subscribe (the server closes a socket sending over 50 messages/s: 4029).")
    var pauseMs: Int = 25

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
            plan.snapshotPauseMillis = pauseMs
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
        result.addLatency("ping → pong on the same sockets (the floor)", "pingLatency", report.pingLatency)
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
/// as a connection would (~75 a second), or with `--direct` straight into the stopped server's
/// SQLite file (for the snapshot scenario's 100,000 and 1,000,000: minutes, not hours).
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed", abstract: "Add N conversations through the inbound API, or with --direct into a stopped server's database.",
        discussion: """
            --direct writes into DIR/switchboard.sqlite while the server is stopped (it refuses while the file is \
            open elsewhere): stop the server (SIGTERM), seed, start it again. Conversations go into the demo workspace \
            (--workspace-slug, else the workspace of --admin-email) with its connections, tags, departments, stages \
            and agents, older than anything already there; a seed cut short leaves the file unusable (it is \
            written without a journal on disk), so keep a copy if it matters. --verify then checks every \
            conversation of the workspace against the store's invariants, and the store's lists and counts against \
            the filter predicate, and exits 1 on a mismatch; without --direct it only checks.
            """)

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Conversations to add.")
    var conversations: Int = 10_000

    @Option(help: "Requests in flight (through the API).")
    var concurrency: Int = 32

    @Flag(help: "Write straight into the stopped server's database (--data-dir) instead of through the API.")
    var direct = false

    @Option(help: "With --direct: the server's data directory (its --data-dir).")
    var dataDir: String?

    @Option(help: "With --direct: the workspace to grow, by slug (else the one of --admin-email).")
    var workspaceSlug: String = "demo"

    @Option(help: "With --direct: days of past activity the conversations spread over, before the workspace's oldest.")
    var days: Int = 56

    @Option(help: "With --direct: load agents (lt00001…, as the scenarios create them) to create if missing, so they hold conversations too.")
    var loadAgents: Int = 20

    @Flag(help: "Check the workspace in --data-dir (after seeding, with --direct): invariants by SQL, lists against the filter predicate; exit 1 on a mismatch.")
    var verify = false

    func validate() throws {
        guard conversations >= 0 else { throw ValidationError("--conversations is 0 or more") }
        if direct || verify {
            guard dataDir != nil else { throw ValidationError("--direct and --verify need --data-dir (the stopped server's)") }
        }
        guard days >= 1, loadAgents >= 0 else { throw ValidationError("--days is 1 or more, --load-agents 0 or more") }
    }

    func run() async throws {
        if direct || verify {
            try await runDirect()
            return
        }
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

    private func runDirect() async throws {
        let path = DirectSeeder.databasePath(dataDirectory: dataDir ?? ".")
        let seeder = DirectSeeder(
            databasePath: path, conversations: conversations, workspaceSlug: workspaceSlug, adminEmail: options.adminEmail,
            days: days, loadAgents: loadAgents, seed: options.seed)
        var workspace: InboxCore.WorkspaceID
        if direct && conversations > 0 {
            let report = try seeder.run { Console.line($0) }
            workspace = report.workspace
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            Console.line(String(
                format: "added %d conversations (%d messages) in %.1f s (%.0f/s); sequence +%lld, change log emptied; %d load agents created; database %.0f MB",
                report.conversations, report.messages, report.seconds, Double(report.conversations) / report.seconds, report.sequenceAdvance,
                report.createdAgents, Double(size) / 1e6))
        } else {
            workspace = try seeder.workspace()
        }
        guard verify else { return }
        let check = SeedCheck(databasePath: path, workspace: workspace)
        Console.line("verifying workspace \(workspace) in \(path)")
        var violations = try check.checkRows { Console.line($0) }
        violations += try await check.checkStore { Console.line($0) }
        if violations.isEmpty {
            Console.line("verify: all consistent")
        } else {
            for violation in violations { Console.line("VIOLATION: \(violation)") }
            throw ExitCode(1)
        }
    }
}
