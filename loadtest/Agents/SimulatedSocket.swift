import Foundation
import InboxCore
import NIOCore

/// One simulated agent's socket inside a worker: subscribes, keeps its lists (when tracked),
/// counts deliveries and latency markers, and carries out claims and workday actions. Lives on
/// the worker's single event loop, like everything it touches.
final class SimulatedSocket {
    let index: Int
    let plan: SocketPlan
    let worker: WorkerSession
    var client: WebSocketClient?
    private(set) var lists: [String: ListModel] = [:]
    private var subscribeSentAt: [String: UInt64] = [:]
    private(set) var subscribedAll = false
    private var lastSeq = -1
    private var versions: [Int: Int] = [:]
    private var lastMarker: [Int: UInt64] = [:]
    private var nextRequest = 0
    /// Requests awaiting their answer: id → (kind, conversation, sent at wall ns).
    private var pending: [String: (kind: String, conversationId: Int, sentAt: UInt64)] = [:]
    /// Claim storm: the order this agent tries conversations in, and where it is.
    private var claimOrder: [Int] = []
    private var claimCursor = 0
    /// When each conversation left this socket's first list (claim storm's loser latency).
    private(set) var removedAt: [Int: UInt64] = [:]
    private(set) var won: Set<Int> = []
    var acting = false
    /// Verification: the fresh snapshots asked for, by the name they were asked under.
    private var verifying: [String: String] = [:]
    var onVerified: (() -> Void)?

    init(index: Int, plan: SocketPlan, worker: WorkerSession) {
        self.index = index
        self.plan = plan
        self.worker = worker
        for subscription in plan.subscriptions { lists[subscription.sub] = ListModel(newestFirst: subscription.newestFirst, countOnly: subscription.pageSize == 0) }
    }

    var report: WorkerReport {
        get { worker.report }
        _modify { yield &worker.report }
    }

    // MARK: receiving

    func received(_ buffer: ByteBuffer) {
        report.messages += 1
        report.bytes += buffer.readableBytes
        switch worker.plan.target {
        case .topic:
            countMarkers(buffer)
        case .nats:
            receivedNATS(buffer)
        case .switchboard:
            if plan.tracked || !subscribedAll || !verifying.isEmpty { receivedParsed(buffer) } else { receivedScanned(buffer) }
        }
    }

    private func countMarkers(_ buffer: ByteBuffer) {
        let now = wallNanos()
        MarkerScan.forEachMarker(in: buffer) { sentAt in
            report.deliveries += 1
            report.latency.recordSince(sentAt, now: now)
        }
    }

    /// Markers recently timed. A conversation keeps its last message's preview, so later frames
    /// about it (a claim, a read) carry the same marker again: only its first arrival is timed.
    private var recentMarkers = [UInt64](repeating: 0, count: 64)
    private var recentMarkerSlot = 0

    private var subscribedAt: UInt64 = .max

    private func timeMarker(_ sentAt: UInt64, now: UInt64) {
        // A marker older than the socket's subscription is an old message shown again.
        guard sentAt >= subscribedAt, !recentMarkers.contains(sentAt) else { return }
        recentMarkers[recentMarkerSlot] = sentAt
        recentMarkerSlot = (recentMarkerSlot + 1) % recentMarkers.count
        report.latency.recordSince(sentAt, now: now)
    }

    private static let debug = ProcessInfo.processInfo.environment["LOADTEST_DEBUG"] != nil
    private static let changeNeedle = Array("\"type\":\"change\"".utf8)
    private static let errorNeedle = Array("\"type\":\"error\"".utf8)

    /// Untracked sockets: count change frames and read markers without parsing.
    private func receivedScanned(_ buffer: ByteBuffer) {
        let frames = MarkerScan.count(of: Self.changeNeedle, in: buffer)
        if frames > 0 {
            report.deliveries += frames
            let now = wallNanos()
            MarkerScan.forEachMarker(in: buffer) { timeMarker($0, now: now) }
        } else if MarkerScan.count(of: Self.errorNeedle, in: buffer) > 0 || acting {
            receivedParsed(buffer)
        }
    }

    private static let natsPing = Array("PING\r\n".utf8)

    /// NATS frames may hold several protocol lines (INFO, MSG, PING) at once. The server's PING
    /// must be answered or it drops the client; each MSG payload holds one marker.
    private func receivedNATS(_ buffer: ByteBuffer) {
        for _ in 0..<MarkerScan.count(of: Self.natsPing, in: buffer) { client?.send("PONG\r\n") }
        countMarkers(buffer)
    }

    private func receivedParsed(_ buffer: ByteBuffer) {
        let now = wallNanos()
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
              let type = object["type"] as? String else {
            violation("unparseable message")
            return
        }
        handle(type: type, object, now: now)
    }

    private func handle(type: String, _ object: [String: Any], now: UInt64) {
        if Self.debug { FileHandle.standardError.write(Data("socket \(index) \(type) \(object["id"] ?? "") \(object["code"] ?? "")\n".utf8)) }
        switch type {
        case "hello":
            subscribeAll()
        case "snapshot":
            handleSnapshot(object, now: now)
        case "change":
            handleChange(object, now: now)
        case "batch":
            for frame in object["frames"] as? [[String: Any]] ?? [] {
                if let inner = frame["type"] as? String { handle(type: inner, frame, now: now) }
            }
        case "result":
            handleResult(object, now: now)
        case "error":
            handleError(object, now: now)
        case "pong":
            handlePong(object, now: now)
        default:
            break  // presence, pong, ok, run_progress, run_done...
        }
    }

    // MARK: subscriptions

    private func subscribeAll() {
        for subscription in plan.subscriptions {
            subscribeSentAt[subscription.sub] = wallNanos()
            client?.send(#"{"type":"subscribe","id":"s:\#(subscription.sub)","sub":"\#(subscription.sub)","filter":\#(subscription.filter),"pageSize":\#(subscription.pageSize)}"#)
        }
        if plan.subscriptions.isEmpty { markSubscribed() }
    }

    private func handleSnapshot(_ object: [String: Any], now: UInt64) {
        guard let sub = object["sub"] as? String, let seq = (object["seq"] as? NSNumber)?.intValue else { return violation("snapshot without sub/seq") }
        if seq < lastSeq { violation("snapshot seq \(seq) after change seq \(lastSeq)") }
        lastSeq = max(lastSeq, seq)
        let items = object["items"] as? [[String: Any]] ?? []
        let total = (object["total"] as? NSNumber)?.intValue ?? -1
        let hasMore = object["cursor"] != nil
        noteVersions(items)
        if let listName = verifying.removeValue(forKey: sub) {
            if let model = lists[listName] {
                let problems = model.differences(fromSnapshot: items, total: total, hasMore: hasMore)
                for problem in problems { violation("list \(listName): \(problem)") }
                report.verifiedLists += 1
            }
            client?.send(#"{"type":"unsubscribe","id":"u:\#(sub)","sub":"\#(sub)"}"#)
            if verifying.isEmpty { onVerified?() }
            return
        }
        if sub == "snap", let sentAt = snapshotSentAt {
            report.snapshotLatency.recordSince(sentAt, now: now)
            snapshotSentAt = nil
            // Then a ping on the same path: its round trip is the floor under every snapshot's.
            afterPause { [self] in
                pingSentAt = wallNanos()
                client?.send(#"{"type":"ping","id":"rtt"}"#)
            }
            return
        }
        lists[sub]?.applySnapshot(items: items, total: total, hasMore: hasMore)
        if let sentAt = subscribeSentAt.removeValue(forKey: sub) {
            report.subscribeLatency.recordSince(sentAt, now: now)
            if subscribeSentAt.isEmpty { markSubscribed() }
        }
    }

    private func markSubscribed() {
        guard !subscribedAll else { return }
        subscribedAll = true
        subscribedAt = wallNanos()
        worker.socketSubscribed(self)
    }

    private func noteVersions(_ items: [[String: Any]]) {
        for item in items {
            guard let id = (item["id"] as? NSNumber)?.intValue, let version = (item["version"] as? NSNumber)?.intValue else { continue }
            if let seen = versions[id], seen > version { violation("conversation \(id) version \(version) after \(seen) (snapshot)") }
            versions[id] = max(versions[id] ?? 0, version)
        }
    }

    private func handleChange(_ object: [String: Any], now: UInt64) {
        guard let seq = (object["seq"] as? NSNumber)?.intValue,
              let conversationId = (object["conversationId"] as? NSNumber)?.intValue,
              let version = (object["version"] as? NSNumber)?.intValue else { return violation("change without seq/conversationId/version") }
        if seq <= lastSeq { violation("change seq \(seq) not after \(lastSeq)") }
        lastSeq = seq
        let known = versions[conversationId] != nil
        if let seen = versions[conversationId], seen >= version { violation("conversation \(conversationId) version \(version) after \(seen)") }
        versions[conversationId] = version
        report.deliveries += 1
        let conversation = object["conversation"] as? [String: Any]
        // Tracked sockets know each conversation's last marker: only a newer one is a new message.
        if let preview = conversation?["lastMessagePreview"] as? String, preview.hasPrefix("@lt"),
           let sentAt = UInt64(preview.dropFirst(3).prefix { $0.isNumber }), sentAt > (lastMarker[conversationId] ?? 0) {
            lastMarker[conversationId] = sentAt
            // A conversation seen for the first time (transferred in, say) shows a message that
            // may be old: timed only when it is new (version 1) or already known to this socket.
            if known || version == 1 { timeMarker(sentAt, now: now) }
        }
        for entry in object["lists"] as? [[String: Any]] ?? [] {
            guard let sub = entry["sub"] as? String, let op = entry["op"] as? String else { continue }
            let total = (entry["total"] as? NSNumber)?.intValue ?? -1
            if lists[sub] != nil, let problem = lists[sub]?.apply(op: op, conversationId: conversationId, version: version, conversation: conversation, total: total) {
                violation("list \(sub): \(problem)")
            }
            if op == "remove", sub == plan.subscriptions.first?.sub, removedAt[conversationId] == nil {
                removedAt[conversationId] = now
            }
        }
    }

    // MARK: verification

    /// Asks for a fresh snapshot of each tracked list; `onVerified` runs when all compared.
    func verify() {
        guard plan.tracked, worker.plan.target == .switchboard, client != nil else { onVerified?(); return }
        // Count-only lists are checked by their total alone (a count-only snapshot).
        for subscription in plan.subscriptions {
            let name = "v-" + subscription.sub
            verifying[name] = subscription.sub
            let pageSize = subscription.pageSize == 0 ? 0 : 200
            client?.send(#"{"type":"subscribe","id":"v:\#(subscription.sub)","sub":"\#(name)","filter":\#(subscription.filter),"pageSize":\#(pageSize)}"#)
        }
        if verifying.isEmpty { onVerified?() }
    }

    // MARK: acting

    private func violation(_ text: String) {
        if report.violations.count < 200 { report.violations.append("socket \(index): \(text)") }
        else if report.violations.count == 200 { report.violations.append("(more violations not listed)") }
    }

    private var snapshotRound = 0
    private var snapshotSentAt: UInt64?
    private var pingSentAt: UInt64?

    private func handlePong(_ object: [String: Any], now: UInt64) {
        guard object["id"] as? String == "rtt", let sentAt = pingSentAt else { return }
        report.pingLatency.recordSince(sentAt, now: now)
        pingSentAt = nil
        afterPause { [self] in snapshotNext() }
    }

    /// Runs `body` after the plan's pause between snapshot requests, which keeps one socket under
    /// the server's per-connection message rate.
    private func afterPause(_ body: @escaping () -> Void) {
        if let pause = plan.snapshotPauseMillis, pause > 0, let client {
            client.eventLoop.scheduleTask(in: .milliseconds(Int64(pause))) { body() }
        } else {
            body()
        }
    }

    /// Snapshot scenario: subscribe `snapshotRounds` times, one after the other.
    func startSnapshots() {
        acting = true
        snapshotRound = 0
        snapshotNext()
    }

    private func snapshotNext() {
        guard acting, let filters = plan.snapshotFilters, !filters.isEmpty, snapshotRound < (plan.snapshotRounds ?? 0) else {
            acting = false
            worker.socketFinishedActing(self)
            return
        }
        let filter = filters[(index + snapshotRound) % filters.count]
        snapshotRound += 1
        snapshotSentAt = wallNanos()
        client?.send(#"{"type":"subscribe","id":"snap","sub":"snap","filter":\#(filter.filter),"pageSize":\#(filter.pageSize)}"#)
    }

    func startClaiming(_ targets: [Int], seed: UInt64) {
        var generator = SplitMix64(seed: seed &+ UInt64(index))
        claimOrder = targets
        claimOrder.shuffle(using: &generator)
        claimCursor = 0
        acting = true
        claimNext()
    }

    private func claimNext() {
        guard acting, let first = plan.subscriptions.first?.sub else { return }
        while claimCursor < claimOrder.count {
            let conversation = claimOrder[claimCursor]
            claimCursor += 1
            // Like a person, an agent only reaches for what its Unassigned list still shows.
            if removedAt[conversation] != nil { continue }
            if let model = lists[first], model.frontier == nil, model.entries[conversation] == nil { continue }
            send(kind: "claim", conversationId: conversation, body: #""conversationId":\#(conversation)"#)
            return
        }
        acting = false
        worker.socketFinishedActing(self)
    }

    func send(kind: String, conversationId: Int, body: String) {
        nextRequest += 1
        let id = "\(kind.prefix(2))\(nextRequest)"
        pending[id] = (kind, conversationId, wallNanos())
        client?.send(#"{"type":"\#(kind)","id":"\#(id)",\#(body)}"#)
    }

    private func handleResult(_ object: [String: Any], now: UInt64) {
        guard let id = object["id"] as? String, let request = pending.removeValue(forKey: id) else { return }
        report.actions[request.kind, default: 0] += 1
        if request.kind == "claim", !claimOrder.isEmpty {
            report.claimLatency.recordSince(request.sentAt, now: now)
            won.insert(request.conversationId)
            let key = String(request.conversationId)
            if report.claimsWon[key] != nil { violation("conversation \(key) won by two agents") }
            report.claimsWon[key] = request.sentAt
            claimNext()
        } else {
            report.actionLatency.recordSince(request.sentAt, now: now)
            worker.actionAnswered(self, kind: request.kind, conversationId: request.conversationId, ok: true)
        }
    }

    private func handleError(_ object: [String: Any], now: UInt64) {
        let code = object["code"] as? String ?? "?"
        guard let id = object["id"] as? String, let request = pending.removeValue(forKey: id) else {
            report.serverErrors[code, default: 0] += 1
            guard let id = object["id"] as? String else { return }
            if id.hasPrefix("s:") || id.hasPrefix("v:") { violation("subscribe \(id) failed: \(code)") }
            // A refused request must not leave the socket waiting for its answer.
            if id.hasPrefix("s:"), subscribeSentAt.removeValue(forKey: String(id.dropFirst(2))) != nil, subscribeSentAt.isEmpty {
                gaveUp()
            }
            if id.hasPrefix("v:"), verifying.removeValue(forKey: "v-" + id.dropFirst(2)) != nil, verifying.isEmpty { onVerified?() }
            if id == "snap" { snapshotSentAt = nil; snapshotNext() }
            return
        }
        if request.kind == "claim", !claimOrder.isEmpty {
            report.claimLatency.recordSince(request.sentAt, now: now)
            if code == "conflict" {
                report.claimsLost += 1
                if (object["reason"] as? String) == "assignee_changed", object["assignee"] == nil { report.claimConflictsWithoutWinner += 1 }
            } else {
                report.actionErrors["claim:" + code, default: 0] += 1
            }
            claimNext()
        } else {
            report.actionErrors[request.kind + ":" + code, default: 0] += 1
            worker.actionAnswered(self, kind: request.kind, conversationId: request.conversationId, ok: false)
        }
    }

    /// The socket never became fully subscribed: it settles without counting as subscribed.
    private func gaveUp() {
        guard !subscribedAll else { return }
        subscribedAll = true
        worker.socketSettled()
    }

    /// The socket closed: whatever it was waiting for will not come.
    func closed() {
        client = nil
        gaveUp()
        if acting, !claimOrder.isEmpty || plan.snapshotRounds != nil {
            acting = false
            worker.socketFinishedActing(self)
        }
        acting = false
        if !verifying.isEmpty {
            verifying = [:]
            onVerified?()
        }
    }

    /// No request of this socket awaits its answer.
    var isIdle: Bool { pending.isEmpty }

    /// Conversations this socket's lists show now (workday picks actions from them).
    func shown(in sub: String) -> [Int] { lists[sub].map { Array($0.entries.keys) } ?? [] }
}
