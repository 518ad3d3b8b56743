import Foundation
import InboxCore
import InboxServer
import InboxStore
import Testing

/// The claim manager's promise, over real sockets: however many agents race for an
/// unassigned conversation, exactly one gets it, every other is told who did, and every
/// subscriber's lists end consistent with the store.
@Suite(.serialized) struct ClaimRaceTests {
    static let claimers = 200
    static let conversationCount = 100

    @Test func twoHundredAgentsRaceForEachOfAHundredConversations() async throws {
        var realtime = RealtimeConfiguration()
        realtime.maxMessagesPerSecond = 10_000 // each agent fires a claim per conversation at once
        // Each socket queues 100 claims at once, answered in turn with everyone else's: on a
        // debug build its pong would wait behind them past the default ping deadline.
        realtime.pingIntervalSeconds = 600
        try await LiveServer.run(realtime: realtime) { server in
            let f = server.fixture
            // Agents of no department: they see conversations with no department, like these.
            var agents: [Agent] = []
            var tokens: [String] = []
            for n in 0..<Self.claimers {
                let agent = try await f.store.createAgent(
                    AgentDraft(name: "Racer \(n)", email: "racer\(n)@acme.test", passwordHash: "x", role: .agent, departmentIDs: []), in: f.acme)
                let token = "race-token-\(n)"
                try await f.store.createSession(SessionRecord(
                    tokenHash: Secrets.hash(token), agentID: agent.id, workspaceID: f.acme,
                    createdAt: Timestamp(milliseconds: 0), expiresAt: Timestamp(milliseconds: Int64.max / 2)))
                agents.append(agent)
                tokens.append(token)
            }
            var targets: [ConversationID] = []
            for n in 0..<Self.conversationCount {
                targets.append(try await f.store.receiveInbound(
                    InboundMessage(providerMessageID: "race-\(n)", handle: "+55 21 7000\(n)", contactName: "Race \(n)", text: "Oi"),
                    on: f.whatsapp, in: f.acme
                ).conversation.id)
            }
            let targetSet = Set(targets)

            // Every racer watches its Mine list and the Unassigned queue, snapshots in hand.
            var sockets: [LiveSocket] = []
            var views: [ListView] = []
            for token in tokens {
                let socket = try await LiveSocket.connect(port: server.port, token: token)
                socket.send(["type": "subscribe", "id": "u", "sub": "unassigned", "filter": ["scope": "unassigned", "statuses": ["open"]], "pageSize": 200])
                socket.send(["type": "subscribe", "id": "m", "sub": "mine", "filter": ["scope": "mine"], "pageSize": 200])
                sockets.append(socket)
            }
            for socket in sockets {
                var view = ListView()
                view.apply(snapshot: try await socket.next("snapshot", where: { $0["sub"] as? String == "unassigned" }, seconds: 30))
                view.apply(snapshot: try await socket.next("snapshot", where: { $0["sub"] as? String == "mine" }, seconds: 30))
                #expect(targetSet.isSubset(of: view.members["unassigned", default: [:]].keys))
                views.append(view)
            }

            // The race: every agent claims every conversation, each in its own order.
            for (index, socket) in sockets.enumerated() {
                var generator = SplitMix64(seed: UInt64(index + 1))
                for id in targets.shuffled(using: &generator) {
                    socket.send(["type": "claim", "id": "c\(id)", "conversationId": id.rawValue])
                }
            }

            // Every claim is answered: a result for the winner, a conflict naming them for the rest.
            var winners: [ConversationID: [AgentID]] = [:]
            var losers: [ConversationID: [(loser: AgentID, named: Int64?, reason: String?)]] = [:]
            let deadline = Date().addingTimeInterval(300) // bounded: a lost answer fails, never hangs
            for (index, socket) in sockets.enumerated() {
                var answered = 0
                while answered < targets.count, Date() < deadline {
                    for frame in socket.drain() {
                        views[index].apply(frame)
                        guard let requestID = frame["id"] as? String, requestID.hasPrefix("c"),
                              let raw = Int64(requestID.dropFirst()) else { continue }
                        let id = ConversationID(raw)
                        answered += 1
                        switch frame.type {
                        case "result": winners[id, default: []].append(agents[index].id)
                        case "error":
                            #expect(frame["code"] as? String == "conflict")
                            let named = ((frame["assignee"] as? [String: Any])?["id"] as? NSNumber)?.int64Value
                            losers[id, default: []].append((agents[index].id, named, frame["reason"] as? String))
                        default: Issue.record("unexpected answer \(frame.object)")
                        }
                    }
                    try await Task.sleep(for: .milliseconds(20))
                }
                #expect(answered == targets.count, "racer \(index) got \(answered) answers")
            }

            for id in targets {
                let winner = try #require(winners[id]?.first, "nobody won \(id)")
                #expect(winners[id]?.count == 1, "\(id) had winners \(winners[id] ?? [])")
                let lost = losers[id] ?? []
                #expect(lost.count == Self.claimers - 1)
                #expect(lost.allSatisfy { $0.named == winner.rawValue && $0.reason == "assignee_changed" && $0.loser != winner })
                #expect(try await f.store.conversation(id, in: f.acme).assigneeID == winner)
            }

            // Lists settle: the last change reaches everyone, then every view equals the store.
            let latest = try await f.store.latestSequence(in: f.acme)
            for (index, socket) in sockets.enumerated() {
                let deadline = Date().addingTimeInterval(30)
                while views[index].lastSequence < latest, Date() < deadline {
                    for frame in socket.drain() { views[index].apply(frame) }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let view = views[index]
                #expect(view.lastSequence >= latest, "racer \(index) stopped at \(view.lastSequence) of \(latest)")
                #expect(Set(view.members["unassigned", default: [:]].keys).isDisjoint(with: targetSet))
                #expect(view.totals["unassigned"] == view.members["unassigned", default: [:]].count)
                let won = Set(targets.filter { winners[$0]?.first == agents[index].id })
                #expect(Set(view.members["mine", default: [:]].keys) == won)
                #expect(view.totals["mine"] == won.count)
                #expect(view.versionsNeverWentBack)
            }
            for socket in sockets { socket.close() }
        }
    }
}

/// A client's picture of its lists, built only from what the protocol sends: snapshots, then
/// `change` frames applied in order.
struct ListView {
    /// Per subscription: conversation id → the version shown.
    var members: [String: [ConversationID: Int64]] = [:]
    var totals: [String: Int] = [:]
    var lastSequence: Int64 = 0
    var versionsNeverWentBack = true
    private var seen: [ConversationID: Int64] = [:]

    mutating func apply(snapshot frame: Frame) {
        guard let sub = frame["sub"] as? String else { return }
        var items: [ConversationID: Int64] = [:]
        for item in (frame["items"] as? [[String: Any]]) ?? [] {
            guard let id = (item["id"] as? NSNumber)?.int64Value, let version = (item["version"] as? NSNumber)?.int64Value else { continue }
            items[ConversationID(id)] = version
            note(ConversationID(id), version)
        }
        members[sub] = items
        totals[sub] = (frame["total"] as? NSNumber)?.intValue
        lastSequence = max(lastSequence, frame.int("seq") ?? 0)
    }

    mutating func apply(_ frame: Frame) {
        switch frame.type {
        case "snapshot": apply(snapshot: frame)
        case "change":
            guard let raw = frame.int("conversationId"), let version = frame.int("version") else { return }
            let id = ConversationID(raw)
            note(id, version)
            lastSequence = max(lastSequence, frame.int("seq") ?? 0)
            for list in frame.lists {
                guard let sub = list["sub"] as? String else { continue }
                switch list["op"] as? String {
                case "upsert": members[sub, default: [:]][id] = version
                case "remove": members[sub]?[id] = nil
                default: break
                }
                totals[sub] = (list["total"] as? NSNumber)?.intValue
            }
        default: break
        }
    }

    private mutating func note(_ id: ConversationID, _ version: Int64) {
        if let previous = seen[id], previous > version { versionsNeverWentBack = false }
        seen[id] = max(seen[id] ?? 0, version)
    }
}

