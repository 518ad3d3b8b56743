import Foundation
import InboxCore
import NIOCore
import NIOPosix

/// A worker process's whole run: opens its sockets (a bounded number at once, spread over the
/// source addresses), then follows the coordinator's commands read from stdin (`go`, `quiet`,
/// `verify <wins>`, `exit`) and reports on stdout as JSON lines (`progress`, `ready`, `acted`,
/// `quiet`, `report`). Everything runs on one event loop, so no state needs a lock.
final class WorkerSession: @unchecked Sendable {
    let plan: WorkerPlan
    let loop: any EventLoop
    var report = WorkerReport()
    private var sockets: [SimulatedSocket] = []
    private var nextToConnect = 0
    private var inFlight = 0
    private var settled = 0
    private var actingSockets = 0
    private var readySent = false
    private var exiting = false
    private var actionTimers: [RepeatedTask] = []
    private var generator: SplitMix64

    init(plan: WorkerPlan, loop: any EventLoop) {
        self.plan = plan
        self.loop = loop
        self.generator = SplitMix64(seed: plan.seed)
    }

    // MARK: output

    static func emit(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private func emitReport() {
        guard let data = try? JSONEncoder().encode(report), let text = String(data: data, encoding: .utf8) else { return }
        FileHandle.standardOutput.write(Data(("{\"event\":\"report\",\"report\":" + text + "}\n").utf8))
    }

    // MARK: connecting

    func start() {
        sockets = plan.sockets.enumerated().map { SimulatedSocket(index: $0.offset, plan: $0.element, worker: self) }
        loop.scheduleRepeatedTask(initialDelay: .seconds(2), delay: .seconds(2)) { [self] _ in
            Self.emit(["event": "progress", "connected": report.connected, "subscribed": report.subscribed,
                       "failed": report.connectFailures, "deliveries": report.deliveries])
        }
        connectMore()
    }

    private func connectMore() {
        while inFlight < plan.connectConcurrency, nextToConnect < sockets.count {
            let socket = sockets[nextToConnect]
            let source = plan.sourceAddresses.isEmpty ? nil : plan.sourceAddresses[nextToConnect % plan.sourceAddresses.count]
            nextToConnect += 1
            inFlight += 1
            var headers: [(String, String)] = []
            if plan.target == .switchboard {
                headers.append(("Sec-WebSocket-Protocol", "switchboard.v1"))
                if let token = socket.plan.token { headers.append(("Authorization", "Bearer \(token)")) }
            }
            WebSocketClient.connect(on: loop, host: plan.host, port: plan.port, path: plan.path, headers: headers, localAddress: source)
                .hop(to: loop)
                .whenComplete { [self] result in
                    switch result {
                    case .success(let client):
                        report.connected += 1
                        socket.client = client
                        client.onText = { [socket] in socket.received($0) }
                        client.onClose = { [self, socket] code in
                            guard !exiting else { return }
                            report.disconnects[code.map(String.init) ?? "none", default: 0] += 1
                            socket.closed()
                        }
                        switch plan.target {
                        case .switchboard: break  // subscribes on hello; settles on its snapshots
                        case .topic: socketSubscribed(socket)
                        case .nats:
                            client.send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB \(socket.plan.subject ?? "load") \(socket.index + 1)\r\nPING\r\n")
                            socketSubscribed(socket)
                        }
                    case .failure(let error):
                        report.connectFailures += 1
                        report.connectErrors[String("\(error)".prefix(80)), default: 0] += 1
                        socketSettled()
                    }
                    inFlight -= 1
                    connectMore()
                }
        }
    }

    func socketSubscribed(_ socket: SimulatedSocket) {
        report.subscribed += 1
        socketSettled()
    }

    func socketSettled() {
        settled += 1
        if settled == sockets.count, !readySent {
            readySent = true
            Self.emit(["event": "ready", "connected": report.connected, "subscribed": report.subscribed, "failed": report.connectFailures])
        }
    }

    // MARK: commands

    func command(_ line: String) {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts.first {
        case "go": go()
        case "quiet": quiet()
        case "verify": verify(winsJSON: parts.count > 1 ? parts[1] : "{}")
        case "mark": mark()
        case "exit": exit()
        default: break
        }
    }

    private func go() {
        let snapshotters = sockets.filter { $0.plan.snapshotRounds != nil && $0.client != nil }
        if sockets.contains(where: { $0.plan.snapshotRounds != nil }) {
            actingSockets = snapshotters.count
            if snapshotters.isEmpty { Self.emit(["event": "acted"]) }
            for socket in snapshotters { socket.startSnapshots() }
        } else if let targets = plan.claimTargets {
            let actors = sockets.filter { $0.plan.acts && $0.client != nil }
            actingSockets = actors.count
            if actors.isEmpty { Self.emit(["event": "acted"]) }
            for socket in actors { socket.startClaiming(targets, seed: plan.seed) }
        } else if let rate = plan.actionsPerSecond, rate > 0 {
            for socket in sockets where socket.plan.acts && socket.client != nil {
                socket.acting = true
                let period = Int64(1_000_000_000 / rate)
                let jitter = Int64.random(in: 0..<period, using: &generator)
                actionTimers.append(loop.scheduleRepeatedTask(initialDelay: .nanoseconds(jitter), delay: .nanoseconds(period)) { [self, socket] _ in
                    WorkdayActions.act(socket, worker: self)
                })
            }
        }
    }

    func socketFinishedActing(_ socket: SimulatedSocket) {
        actingSockets -= 1
        if actingSockets == 0 { Self.emit(["event": "acted"]) }
    }

    func actionAnswered(_ socket: SimulatedSocket, kind: String, conversationId: Int, ok: Bool) {}

    func random(_ range: Range<Int>) -> Int { Int.random(in: range, using: &generator) }

    /// Reports the figures so far and starts counting afresh (steps of a rate sweep).
    private func mark() {
        guard let data = try? JSONEncoder().encode(report), let text = String(data: data, encoding: .utf8) else { return }
        FileHandle.standardOutput.write(Data(("{\"event\":\"mark\",\"report\":" + text + "}\n").utf8))
        report.deliveries = 0
        report.messages = 0
        report.bytes = 0
        report.latency = LatencyHistogram()
        report.actionLatency = LatencyHistogram()
    }

    private func quiet() {
        for timer in actionTimers { timer.cancel() }
        actionTimers = []
        for socket in sockets { socket.acting = false }
        // Let answers and pushes already on the way arrive.
        loop.scheduleTask(in: .seconds(1)) { Self.emit(["event": "quiet"]) }
    }

    private func verify(winsJSON: String) {
        // Claim storm: how long after the winning claim was sent each loser's list dropped it.
        if let wins = try? JSONSerialization.jsonObject(with: Data(winsJSON.utf8)) as? [String: NSNumber], !wins.isEmpty {
            for socket in sockets where socket.plan.acts {
                for (conversation, arrivedAt) in socket.removedAt where !socket.won.contains(conversation) {
                    guard let sentAt = wins[String(conversation)]?.uint64Value else { continue }
                    report.loserUpdateLatency.record(nanos: arrivedAt > sentAt ? arrivedAt - sentAt : 0)
                }
            }
        }
        var waiting = 0
        var finished = false
        let finish = { [self] in
            guard !finished else { return }
            finished = true
            emitReport()
        }
        for socket in sockets where socket.plan.tracked && socket.client != nil {
            waiting += 1
            socket.onVerified = {
                waiting -= 1
                if waiting == 0 { finish() }
            }
            socket.verify()
        }
        if waiting == 0 { finish() }
        loop.scheduleTask(in: .seconds(60)) { [self] in
            if !finished { report.violations.append("verification did not finish within 60 s (\(waiting) sockets left)") }
            finish()
        }
    }

    private func exit() {
        exiting = true
        for socket in sockets { socket.client?.close() }
        loop.scheduleTask(in: .milliseconds(500)) { Foundation.exit(0) }
    }
}
