import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

/// A client's view of one list, built only from what the protocol sends.
struct ClientList {
    var items: [Int64: Int64] = [:] // conversation id -> version
    var total: Int64 = 0
    var lastSeq: Int64 = 0

    mutating func apply(snapshot: Frame) {
        items = [:]
        for item in (snapshot["items"] as? [[String: Any]]) ?? [] {
            items[(item["id"] as! NSNumber).int64Value] = (item["version"] as! NSNumber).int64Value
        }
        total = snapshot.int("total") ?? -1
        lastSeq = snapshot.int("seq") ?? -1
    }

    /// Applies a change; returns false on a gap or repeat of sequence numbers for this list.
    mutating func apply(change: Frame, sub: String) -> Bool {
        guard let list = change.list(sub), let seq = change.int("seq") else { return true }
        guard seq > lastSeq else { return false }
        lastSeq = seq
        let id = change.int("conversationId")!
        if list["op"] as? String == "remove" { items[id] = nil } else { items[id] = change.int("version") }
        total = (list["total"] as? NSNumber)?.int64Value ?? -1
        return true
    }
}

@Suite struct RealtimeResumeTests {
    /// Makes `count` mixed changes in acme: new conversations, replies, claims, finishes.
    static func churn(_ f: InboxFixture, count: Int, tag: String) async throws {
        for index in 0..<count {
            switch index % 4 {
            case 0:
                _ = try await f.store.receiveInbound(
                    InboundMessage(providerMessageID: "\(tag)-\(index)", handle: "+55 \(tag) \(index % 7)", contactName: nil, text: "msg \(index)"),
                    on: index % 8 == 0 ? f.instagram : f.whatsapp, in: f.acme)
            case 1:
                _ = try await f.store.sendOutbound(OutboundMessage(author: .agent(f.admin.id), clientMessageID: "\(tag)-\(index)", text: "ok"),
                                                   to: f.conversations[index % 4], in: f.acme)
            case 2:
                _ = try await f.store.assign(AssignmentChange(conversationID: f.conversations[index % 5], condition: .init(requireOpen: false),
                                                              assigneeID: index % 3 == 0 ? nil : f.vendasAgent.id), in: f.acme)
            default:
                let id = f.conversations[index % 5]
                if index % 8 == 3 { _ = try await f.store.finish(id, in: f.acme) } else { _ = try await f.store.reopen(id, in: f.acme) }
            }
        }
    }

    @Test func aResumedClientEndsExactlyLikeOneThatNeverLeft() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let filter: [String: Any] = ["statuses": ["open"], "order": "oldest"]
            let steady = try await server.socket("admin@acme.test")
            let flaky = try await server.socket("admin@acme.test")
            var steadyList = ClientList(), flakyList = ClientList()
            for (socket, name) in [(steady, "s"), (flaky, "f")] {
                socket.send(["type": "subscribe", "id": name, "sub": "open", "filter": filter, "pageSize": 200])
            }
            steadyList.apply(snapshot: try await steady.next("snapshot"))
            flakyList.apply(snapshot: try await flaky.next("snapshot"))

            try await Self.churn(f, count: 40, tag: "a")
            // The flaky client takes a few changes, then its connection drops with more in flight.
            for _ in 0..<5 {
                let change = try await flaky.next("change")
                let inOrder = flakyList.apply(change: change, sub: "open")
                #expect(inOrder)
            }
            flaky.close()
            _ = await flaky.closed()
            try await Self.churn(f, count: 60, tag: "b")

            let back = try await server.socket("admin@acme.test")
            back.send(["type": "resume", "id": "r", "lastSeq": flakyList.lastSeq,
                       "subscriptions": [["sub": "open", "filter": filter, "pageSize": 200]]])
            _ = try await back.next("resumed", seconds: 10)
            try await Self.churn(f, count: 20, tag: "c") // live again after the replay
            // A last change every open list hears about marks the end.
            let sentinel = try await f.store.receiveInbound(
                InboundMessage(providerMessageID: "sentinel", handle: "+55 00 0000", contactName: "Fim", text: "fim"), on: f.whatsapp, in: f.acme)
            let final = sentinel.changes[0].sequence
            for (socket, isSteady) in [(steady, true), (back, false)] {
                var list = isSteady ? steadyList : flakyList
                while list.lastSeq < final {
                    let change = try await socket.next("change", seconds: 10)
                    let inOrder = list.apply(change: change, sub: "open")
                    #expect(inOrder, "a gap or a repeat at sequence \(change.int("seq") ?? -1)")
                }
                if isSteady { steadyList = list } else { flakyList = list }
            }
            #expect(flakyList.items == steadyList.items)
            #expect(flakyList.total == steadyList.total)
            let truth = try await f.store.countConversations(ConversationFilter(statuses: [.open]), viewer: f.admin.viewer)
            #expect(steadyList.total == Int64(truth))
            #expect(steadyList.items.count == truth, "every open conversation fits in one page of 200 here")
        }
    }

    @Test func resumingFromBeyondTheLogAnswersResyncWithFreshSnapshots() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let old = try await f.store.latestSequence(in: f.acme)
            try await Self.churn(f, count: 30, tag: "p")
            f.clock.advance(seconds: 3600)
            _ = try await f.store.pruneChangeLog(olderThan: f.clock.now(), keepAtLeast: 5)
            let socket = try await server.socket("admin@acme.test")
            socket.send(["type": "resume", "id": "r", "lastSeq": old, "subscriptions": [["sub": "all", "pageSize": 10]]])
            let resync = try await socket.next("resync")
            #expect(resync["reason"] as? String == "log_truncated")
            let snapshot = try await socket.next("snapshot")
            #expect(snapshot["sub"] as? String == "all")
            let truth = try await f.store.countConversations(ConversationFilter(), viewer: f.admin.viewer)
            #expect(snapshot.int("total") == Int64(truth))
            // A sequence from the future is an error, not a silent resync.
            socket.send(["type": "resume", "id": "x", "lastSeq": 999_999, "subscriptions": [] as [Any]])
            let error = try await socket.next("error")
            #expect(error["code"] as? String == "invalid_field")
        }
    }
}
