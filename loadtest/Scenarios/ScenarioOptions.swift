import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1

/// Options every scenario shares: where the server is, who its admin is, how the generator's
/// own processes are laid out, and how results are printed.
struct ScenarioOptions: ParsableArguments {
    @Option(help: "Server address (loopback only).")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 8080

    @Option(help: "An admin of the workspace to load (the demo's by default).")
    var adminEmail: String = "admin@demo.switchboard.dev"

    @Option(help: "That admin's password.")
    var adminPassword: String = "demo1234"

    @Option(help: "The server's pid, for CPU and memory readings (found by its command line when left out).")
    var serverPid: Int32?

    @Option(help: "CPUs to pin the generator's processes to, e.g. 1 (the server on the other).")
    var cpus: String?

    @Option(help: "Sockets per worker process (each process holds at most ~19,900 descriptors).")
    var socketsPerWorker: Int = 15_000

    @Option(help: "Seed of the run's random choices.")
    var seed: UInt64 = 42

    @Flag(help: "Print the results as one JSON object instead of a table.")
    var json = false

    func validate() throws {
        guard ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw ValidationError("--host must be a loopback address: load tests never leave the machine")
        }
        guard (1...19_000).contains(socketsPerWorker) else { throw ValidationError("--sockets-per-worker is 1 to 19000") }
    }

    /// Splits sockets into worker plans: worker i connects from 127.0.0.(2+i), so each source
    /// address carries at most one worker's sockets (well under its ~28,000 ephemeral ports).
    func plans(sockets: [SocketPlan], template: WorkerPlan) -> [WorkerPlan] {
        stride(from: 0, to: max(sockets.count, 1), by: socketsPerWorker).enumerated().map { index, start in
            var plan = template
            plan.sockets = Array(sockets[start..<min(start + socketsPerWorker, sockets.count)])
            plan.sourceAddresses = host.hasPrefix("127.") ? ["127.0.0.\(2 + index)"] : []
            plan.seed = seed &+ UInt64(index) &* 7919
            return plan
        }
    }

    func template(target: WorkerPlan.Target = .switchboard, path: String = "/ws", port: Int? = nil) -> WorkerPlan {
        WorkerPlan(
            target: target, host: host == "localhost" ? "127.0.0.1" : host, port: port ?? self.port, path: path,
            sourceAddresses: [], connectConcurrency: 256, sockets: [], claimTargets: nil, actionsPerSecond: nil, seed: seed)
    }
}

/// A scenario's connection to the server for setup and readings.
struct ScenarioContext {
    let options: ScenarioOptions
    let client: HTTPClient
    let api: ServerAPI
    let probe: ServerProbe?

    init(options: ScenarioOptions) {
        self.options = options
        client = HTTPClient.forLoad()
        api = ServerAPI(host: options.host, port: options.port, client: client)
        probe = ServerProbe.find(pid: options.serverPid, port: options.port)
        if probe == nil { Console.line("note: server process not found; CPU and memory figures are left out (--server-pid)") }
    }

    /// The workspace as the options' admin sees it, with `agents` load agents logged in.
    func workspace(agents: Int) async throws -> LoadWorkspace {
        try await LoadWorkspace.prepare(api: api, adminEmail: options.adminEmail, adminPassword: options.adminPassword, agentCount: agents)
    }

    func metrics() async -> MetricsSnapshot? {
        guard let text = try? await api.text("/metrics") else { return nil }
        return MetricsSnapshot(exposition: text)
    }

    func shutdown() async { try? await client.shutdown() }
}

/// Realistic filter mixes: what agents keep open in their inbox (W3 filter JSON).
enum FilterMix {
    static func list(_ number: Int, workspace: LoadWorkspace) -> SubscriptionPlan {
        func ids(_ values: [Int], _ pick: Int) -> String { values.isEmpty ? "[]" : "[\(values[pick % values.count])]" }
        let choices: [(String, Bool)] = [
            (#"{"scope":"all","statuses":["open"]}"#, true),
            (#"{"scope":"mine","statuses":["open"]}"#, true),
            (#"{"scope":"unassigned","statuses":["open"]}"#, true),
            (#"{"scope":"all","statuses":["awaiting_reply"],"order":"oldest"}"#, false),
            (#"{"scope":"all","statuses":["open"],"departmentIds":\#(ids(workspace.departmentIds, number))}"#, true),
            (#"{"scope":"all","statuses":["open"],"connectionIds":[\#(workspace.connectionId)]}"#, true),
            (#"{"scope":"all","statuses":["open"],"tagIds":\#(ids(workspace.tagIds, number))}"#, true),
            (#"{"scope":"all","statuses":["open"],"stageIds":\#(ids(workspace.stageIds, number))}"#, true),
            (#"{"scope":"all","statuses":["send_failed"]}"#, true),
            (#"{"scope":"unassigned","statuses":["open"],"order":"oldest"}"#, false),
        ]
        let choice = choices[number % choices.count]
        return SubscriptionPlan(sub: "list", filter: choice.0, pageSize: 50, newestFirst: choice.1)
    }

    /// The three tab badges of the seed: All / Mine / Unassigned, count-only (pageSize 0).
    static let tabs: [SubscriptionPlan] = [
        SubscriptionPlan(sub: "tab-all", filter: #"{"scope":"all","statuses":["open"]}"#, pageSize: 0, newestFirst: true),
        SubscriptionPlan(sub: "tab-mine", filter: #"{"scope":"mine","statuses":["open"]}"#, pageSize: 0, newestFirst: true),
        SubscriptionPlan(sub: "tab-unassigned", filter: #"{"scope":"unassigned","statuses":["open"]}"#, pageSize: 0, newestFirst: true),
    ]
}
