import Foundation
import InboxCore
@testable import InboxServer
import Testing

/// The hand-written JSON of conversations, snapshots and pages must be byte for byte what
/// `WireJSON.encoder` writes, so clients see exactly the documented shapes.
@Suite("ConversationJSON matches WireJSON")
struct ConversationJSONTests {
    static let awkward = [
        "", "Ana", "João Conceição", "say \"hi\"", "back\\slash", "a/b</script>", "tab\there", "line\nbreak\r\n",
        "\u{0}\u{1}\u{1F}\u{7F}", "\u{8}\u{C}", "emoji 😀👍🏽", "e\u{301} combining", "\u{2028}\u{2029}", "\u{FEFF}bom",
        "日本語", String(repeating: "x", count: 300),
    ]

    @Test func randomConversationsEncodeExactlyAsJSONEncoder() throws {
        var rng = SplitMix64(seed: SplitMix64.seedFromEnvironment())
        for _ in 0..<2_000 {
            let conversation = Self.randomConversation(&rng)
            let expected = ServerMessage.encode(conversation)
            #expect(ConversationJSON.encode(conversation) == expected, "\(conversation)")
        }
    }

    /// The store writes its change log with the Swift key spelling: `Conversation`'s own
    /// decoder (the store's) must read back exactly the conversation written.
    @Test func swiftKeysReadBackThroughConversationsOwnDecoder() throws {
        var rng = SplitMix64(seed: SplitMix64.seedFromEnvironment())
        let decoder = JSONDecoder()
        for _ in 0..<2_000 {
            let conversation = Self.randomConversation(&rng)
            let text = ConversationJSON.encode(conversation, keys: .swift)
            #expect(try decoder.decode(Conversation.self, from: Data(text.utf8)) == conversation, "\(text)")
        }
    }

    @Test func snapshotsAndPagesEncodeExactlyAsJSONEncoder() throws {
        var rng = SplitMix64(seed: SplitMix64.seedFromEnvironment())
        for _ in 0..<300 {
            let items = (0..<rng.int(0...4)).map { _ in Self.randomConversation(&rng) }
            let id: String? = rng.chance(0.3) ? nil : rng.pick(Self.awkward)
            let sub = rng.pick(Self.awkward)
            let cursor: String? = rng.chance(0.5) ? nil : "n.\(rng.int(0...1_000_000)).\(rng.int(1...999))"
            let seq = Int64(rng.int(0...1_000_000_000))
            let total = rng.int(0...100_000)
            #expect(
                ConversationJSON.snapshot(id: id, sub: sub, items: items, total: total, cursor: cursor, seq: seq)
                    == ServerMessage.encode(ServerMessage.Snapshot(id: id, sub: sub, items: items, total: total, cursor: cursor, seq: seq)))
            let pageID = id ?? "p"
            #expect(
                ConversationJSON.page(id: pageID, sub: sub, items: items, cursor: cursor, seq: seq)
                    == ServerMessage.encode(ServerMessage.Page(id: pageID, sub: sub, items: items, cursor: cursor, seq: seq)))
        }
    }

    @Test func helloEncodesExactlyAsJSONEncoder() throws {
        var rng = SplitMix64(seed: SplitMix64.seedFromEnvironment())
        for _ in 0..<200 {
            let agent = Agent(
                id: AgentID(Int64(rng.int(1...999))), workspaceID: WorkspaceID(Int64(rng.int(1...9))), name: rng.pick(Self.awkward),
                email: "a\(rng.int(0...99))@example.com", role: rng.pick(Role.allCases),
                departmentIDs: (0..<rng.int(0...3)).map { _ in DepartmentID(Int64(rng.int(1...50))) }, active: rng.chance(0.9),
                maxOpenConversations: rng.chance(0.5) ? nil : rng.int(1...30))
            let presence = (0..<rng.int(0...30)).map { number in
                PresencePayload(agentID: AgentID(Int64(number + 1)), status: rng.pick([PresenceStatus.online, .away]))
            }
            let hello = ServerMessage.Hello(
                agent: agent, seq: Int64(rng.int(0...1_000_000)), presence: presence, heartbeatSeconds: rng.int(5...60),
                maxMessageBytes: rng.int(1_024...1_048_576))
            #expect(HelloJSON.encode(hello) == ServerMessage.encode(hello))
        }
    }

    static func randomConversation(_ rng: inout SplitMix64) -> Conversation {
        func ids<E>() -> [Identifier<E>] { (0..<rng.int(0...3)).map { _ in Identifier(Int64(rng.int(1...5_000))) }.sorted() }
        let open = rng.chance(0.7)
        return Conversation(
            id: ConversationID(Int64(rng.int(1...Int(Int32.max)))), workspaceID: WorkspaceID(Int64(rng.int(1...9))),
            contactID: ContactID(Int64(rng.int(1...1_000_000))), contactName: rng.pick(awkward),
            connectionID: ConnectionID(Int64(rng.int(1...20))), assigneeID: rng.chance(0.4) ? nil : AgentID(Int64(rng.int(1...300))),
            departmentIDs: ids(), tagIDs: ids(), stageIDs: ids(), status: open ? .open : .finished,
            awaitingReply: open && rng.chance(0.5), sendFailed: open && rng.chance(0.2), automated: open && rng.chance(0.2),
            unreadCount: rng.int(0...40), lastMessagePreview: rng.pick(awkward) + rng.pick(awkward),
            lastActivityAt: Timestamp(milliseconds: Int64(rng.int(0...1_900_000_000_000))),
            createdAt: Timestamp(milliseconds: Int64(rng.int(0...1_900_000_000_000))), version: Int64(rng.int(1...1_000_000)))
    }
}
