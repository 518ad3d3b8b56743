import Foundation
import HTTPTypes
import InboxCore
import InboxServer
import InboxStore
import Testing

@Suite struct RealtimeOrderingTests {
    /// Subscribing while changes stream: across all lists of the connection, sequence numbers
    /// never go back and no conversation's version ever follows a newer one.
    @Test func snapshotsAndChangesLeaveInSequenceOrder() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let socket = try await server.socket("admin@acme.test")
            socket.send(["type": "subscribe", "id": "a", "sub": "all", "pageSize": 200])
            _ = try await socket.next("snapshot")
            let writer = Task {
                for index in 0..<150 {
                    _ = try await f.store.sendOutbound(
                        OutboundMessage(author: .automation(name: "Robô"), clientMessageID: nil, text: "n\(index)"),
                        to: f.conversations[index % 4], in: f.acme)
                }
            }
            for (index, filter) in [["statuses": ["open"]], ["statuses": ["automations"]], ["connectionIds": [f.whatsapp.rawValue]]].enumerated() {
                socket.send(["type": "subscribe", "id": "s\(index)", "sub": "extra\(index)", "filter": filter, "pageSize": 200])
                _ = try await socket.next("snapshot") { $0["sub"] as? String == "extra\(index)" }
                socket.send(["type": "subscribe", "id": "r\(index)", "sub": "extra\(index)", "filter": filter, "pageSize": 200])
            }
            try await writer.value
            let last = try await f.store.latestSequence(in: f.acme)
            _ = try await socket.next("change", where: { $0.int("seq") == last }, seconds: 10)
            socket.send(["type": "ping", "id": "end"])
            _ = try await socket.next("pong")

            var lastSequence: Int64 = 0
            var versions: [Int64: Int64] = [:]
            var snapshots = 0, changes = 0
            for frame in socket.log {
                var seen: [(id: Int64, version: Int64)] = []
                switch frame.type {
                case "snapshot":
                    snapshots += 1
                    let seq = try #require(frame.int("seq"))
                    #expect(seq >= lastSequence, "snapshot at \(seq) after a change at \(lastSequence)")
                    lastSequence = max(lastSequence, seq)
                    for item in (frame["items"] as? [[String: Any]]) ?? [] {
                        seen.append(((item["id"] as! NSNumber).int64Value, (item["version"] as! NSNumber).int64Value))
                    }
                case "change":
                    changes += 1
                    let seq = try #require(frame.int("seq"))
                    #expect(seq > lastSequence, "change \(seq) after \(lastSequence)")
                    lastSequence = seq
                    seen.append((frame.int("conversationId")!, frame.int("version")!))
                default:
                    continue
                }
                for (id, version) in seen {
                    #expect(version >= versions[id, default: 0], "conversation \(id): version \(version) after \(versions[id, default: 0])")
                    versions[id] = max(versions[id, default: 0], version)
                }
            }
            #expect(snapshots == 7)
            #expect(changes >= 150)
        }
    }

    /// Opening a thread while its conversation changes: the answer, then every later change,
    /// with no version skipped and none repeated.
    @Test func aThreadOpenedMidStreamMissesNothing() async throws {
        try await LiveServer.run { server in
            let f = server.fixture
            let conversation = f.conversations[0]
            let socket = try await server.socket("admin@acme.test")
            let writer = Task {
                for index in 0..<60 {
                    _ = try await f.store.sendOutbound(
                        OutboundMessage(author: .automation(name: "Robô"), clientMessageID: nil, text: "t\(index)"), to: conversation, in: f.acme)
                }
            }
            try await Task.sleep(for: .milliseconds(20))
            socket.send(["type": "open_thread", "id": "t", "conversationId": conversation.rawValue])
            try await writer.value
            let final = try await f.store.conversation(conversation, in: f.acme).version
            _ = try await socket.next("thread_change", where: { ($0["conversation"] as? [String: Any])?["version"] as? Int == Int(final) }, seconds: 10)
            var version: Int64 = 0
            var answered = false
            for frame in socket.log where frame.type == "thread" || frame.type == "thread_change" {
                let current = ((frame["conversation"] as? [String: Any])?["version"] as? NSNumber)?.int64Value ?? -1
                if frame.type == "thread" {
                    #expect(!answered)
                    answered = true
                } else {
                    #expect(answered, "a thread_change came before the thread")
                    #expect(current == version + 1, "version \(current) after \(version)")
                }
                version = current
            }
            #expect(version == final)
        }
    }
}
