import ArgumentParser
import Foundation
import NIOHTTP1
import NIOCore
import NIOPosix

/// `peers`: plain topic fan-out (every subscriber gets every message) measured the same way on
/// Switchboard (a subscription whose filter every change matches, fed by inbound messages to one
/// conversation) and on peer servers started from loadtest/peers/start.sh: nginx + nchan, NATS
/// (WebSocket listener), socketify (uWebSockets) and a bare hummingbird-websocket broadcaster.
struct PeersScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peers", abstract: "Topic fan-out on Switchboard and peer servers, side by side.")

    @OptionGroup var options: ScenarioOptions

    @Option(help: "Targets, comma-separated: switchboard, bare, nchan, nats, socketify.")
    var targets: String = "switchboard,bare,nchan,nats,socketify"

    @Option(help: "Subscribers per target.")
    var subscribers: Int = 1_000

    @Option(help: "Messages published per second.")
    var rate: Double = 100

    @Option(help: "Seconds of publishing per target.")
    var seconds: Int = 10

    @Option(help: "Bytes per published message (padding after the latency marker).")
    var payloadBytes: Int = 512

    @Option(help: "First port for the peers (each peer gets its own).")
    var peerPort: Int = 9300

    @Option(help: "CPUs to pin the peer servers to (taskset), e.g. 0; start Switchboard with taskset yourself.")
    var serverCpus: String?

    @Option(help: "Path of loadtest/peers/start.sh.")
    var startScript: String = "loadtest/peers/start.sh"

    struct Figures {
        let target: String
        let deliveriesPerSecond: Double
        let latency: LatencyHistogram.Summary
        let cpu: Double?
        let published: Int
        let delivered: Int
        let expected: Int
        let problems: [String]
    }

    func run() async throws {
        let context = ScenarioContext(options: options)
        defer { Task { await context.shutdown() } }
        var all: [Figures] = []
        for (index, target) in targets.split(separator: ",").map({ String($0).trimmingCharacters(in: .whitespaces) }).enumerated() {
            Console.line("== \(target)")
            do {
                all.append(try await measure(target, port: peerPort + index * 2, context: context))
            } catch {
                Console.line("  \(target) failed: \(error)")
                all.append(Figures(target: target, deliveriesPerSecond: 0, latency: LatencyHistogram().summary, cpu: nil, published: 0, delivered: 0, expected: 0, problems: ["\(error)"]))
            }
        }
        var result = ScenarioResult(scenario: "peers")
        result.add("subscribers / rate / payload", "load", "\(subscribers) / \(rate)/s / \(payloadBytes) B for \(seconds) s")
        let ours = all.first { $0.target == "switchboard" }
        var rows: [[String: Any]] = []
        for figures in all {
            let ratio = ours.map { figures.deliveriesPerSecond > 0 ? $0.deliveriesPerSecond / figures.deliveriesPerSecond : 0 } ?? 0
            result.add(figures.target, figures.target, String(
                format: "%.0f deliveries/s, p50 %.2f p99 %.2f max %.2f ms, CPU %@, delivered %d of %d; Switchboard/this %.2f",
                figures.deliveriesPerSecond, figures.latency.p50, figures.latency.p99, figures.latency.max,
                figures.cpu.map { String(format: "%.2f", $0) } ?? "?", figures.delivered, figures.expected, ratio))
            rows.append(["target": figures.target, "deliveriesPerSecond": figures.deliveriesPerSecond, "p50": figures.latency.p50,
                         "p99": figures.latency.p99, "max": figures.latency.max, "cpu": figures.cpu ?? -1, "delivered": figures.delivered,
                         "expected": figures.expected, "switchboardRatio": ratio])
            result.violations += figures.problems.map { "\(figures.target): \($0)" }
        }
        result.json["targets"] = rows
        result.print(asJSON: options.json)
        if !result.violations.isEmpty { throw ExitCode(1) }
    }

    private func padded(_ marker: String) -> String {
        marker + " " + String(repeating: "x", count: max(0, payloadBytes - marker.count - 1))
    }

    private func measure(_ target: String, port: Int, context: ScenarioContext) async throws -> Figures {
        var peer: Process?
        defer { if let peer { stopPeer(peer) } }
        var template: WorkerPlan
        var sockets: [SocketPlan]
        let publish: @Sendable (Int) async throws -> Void
        var probe: ServerProbe?
        var natsPublisher: WebSocketClient?
        switch target {
        case "switchboard":
            let workspace = try await context.workspace(agents: min(100, subscribers))
            let customers = Customers(workspace: workspace)
            let handle = customers.handle(0)
            _ = try await customers.writeReturningConversation(handle: handle, text: "tópico")
            let every = SubscriptionPlan(
                sub: "topic", filter: #"{"statuses":["open"],"connectionIds":[\#(workspace.connectionId)]}"#, pageSize: 1, newestFirst: true)
            sockets = (0..<subscribers).map { number in
                let agent = workspace.agents[number % workspace.agents.count]
                return SocketPlan(token: agent.token, agentId: agent.id, subscriptions: [every], tracked: number % 100 == 0, subject: nil, acts: false, transferTargets: nil)
            }
            template = options.template()
            let padding = String(repeating: "x", count: max(0, payloadBytes - 24))
            publish = { _ in try await customers.write(handle: handle, text: padding) }
            probe = context.probe
        case "nchan", "socketify", "bare":
            peer = try await startPeer(target, port: port)
            probe = peer.map { ServerProbe(pid: $0.processIdentifier, includeChildren: true) }
            sockets = (0..<subscribers).map { _ in SocketPlan(token: nil, agentId: nil, subscriptions: [], tracked: false, subject: nil, acts: false, transferTargets: nil) }
            template = options.template(target: .topic, path: "/sub/load", port: port)
            let api = ServerAPI(host: "127.0.0.1", port: port, client: context.client)
            publish = { [self] _ in
                let (status, _) = try await api.raw(.POST, "/pub/load", body: Data(padded(latencyMarker()).utf8))
                guard (200..<300).contains(status) else { throw LoadTestFailure("publish answered \(status)") }
            }
        case "nats":
            peer = try await startPeer(target, port: port)
            probe = peer.map { ServerProbe(pid: $0.processIdentifier, includeChildren: true) }
            sockets = (0..<subscribers).map { _ in SocketPlan(token: nil, agentId: nil, subscriptions: [], tracked: false, subject: "load", acts: false, transferTargets: nil) }
            template = options.template(target: .nats, path: "/", port: port)
            let client = try await WebSocketClient.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), host: "127.0.0.1", port: port, path: "/", headers: []).get()
            client.send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n")
            natsPublisher = client
            publish = { [self] _ in
                let payload = padded(latencyMarker())
                client.send("PUB load \(payload.utf8.count)\r\n\(payload)\r\n")
            }
        default:
            throw ValidationError("unknown target \(target)")
        }
        defer { natsPublisher?.close() }
        let runner = try await ScenarioRunner.start(context, sockets: sockets, template: template)
        defer { runner.pool.stop() }
        // Warm-up: some servers register a subscriber only after its handshake is answered, and
        // an idle publisher connection may have been closed; a few messages settle both.
        _ = await paced(total: 5, rate: 10, concurrency: 1, publish)
        try await Task.sleep(for: .seconds(1))
        _ = try await runner.mark()
        let before = probe?.read()
        let started = monotonicNanos()
        let outcome = await paced(total: Int(rate * Double(seconds)), rate: rate, concurrency: 32, publish)
        let elapsed = Double(monotonicNanos() - started) / 1e9
        let after = probe?.read()
        try await Task.sleep(for: .seconds(2))
        let step = try await runner.mark()
        let report = try await runner.finish()
        var problems = report.violations
        if !outcome.errors.isEmpty { problems.append("publish errors \(outcome.errors)") }
        if report.connected < subscribers { problems.append("\(subscribers - report.connected) subscribers could not connect") }
        let expected = outcome.sent * report.connected
        if step.deliveries < expected { problems.append("\(expected - step.deliveries) deliveries missing") }
        Console.line(String(format: "  %.0f deliveries/s, p99 %.2f ms", Double(step.deliveries) / elapsed, step.latency.summary.p99))
        return Figures(
            target: target, deliveriesPerSecond: Double(step.deliveries) / elapsed, latency: step.latency.summary,
            cpu: (before != nil && after != nil) ? ServerProbe.coreShare(from: before!, to: after!) : nil,
            published: outcome.sent, delivered: step.deliveries, expected: expected, problems: problems)
    }

    /// SIGTERM, then SIGKILL after five seconds: a peer that ignores the polite signal must not
    /// hold the run (or its port) forever.
    private func stopPeer(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = monotonicNanos() + 5_000_000_000
        while process.isRunning, monotonicNanos() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Starts `start.sh <name> <port>` (pinned with taskset when asked) and waits for its `ready`.
    private func startPeer(_ name: String, port: Int) async throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: serverCpus == nil ? "/bin/bash" : "/usr/bin/taskset")
        process.arguments = (serverCpus.map { ["-c", $0, "/bin/bash"] } ?? []) + [startScript, name, String(port)]
        let output = Pipe()
        process.standardOutput = output
        // The peer's own logs go to a file, so the run's output stays readable.
        let logPath = "/tmp/switchboard-peer-\(name)-\(port).log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.standardError
        Console.line("  starting \(name) on port \(port) (log: \(logPath))")
        try process.run()
        let ready = ReadyFlag()
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { handle.readabilityHandler = nil }
            if String(decoding: data, as: UTF8.self).contains("ready") { ready.set() }
        }
        let deadline = monotonicNanos() + 600_000_000_000  // installs from apt/PyPI on a first run
        while !ready.isSet {
            guard process.isRunning else { throw LoadTestFailure("\(name) exited with \(process.terminationStatus) before ready") }
            guard monotonicNanos() < deadline else { process.terminate(); throw LoadTestFailure("\(name) not ready in 10 minutes") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process
    }
}

private final class ReadyFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.lock(); flag = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
