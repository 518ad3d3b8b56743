import HTTPTypes
import InboxCore
import Testing

/// Each filter of the seed, through the HTTP API, on the fixture's five conversations.
@Suite struct ConversationListTests {
    @Test func scopesAndOrderForAnAdmin() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let f = app.fixture
            #expect(try await app.request(.get, "/api/v1/conversations", token: token).ids == f.ids(5, 4, 3, 2, 1))
            #expect(try await app.request(.get, "/api/v1/conversations?order=oldest", token: token).ids == f.ids(1, 2, 3, 4, 5))
            #expect(try await app.request(.get, "/api/v1/conversations?scope=unassigned", token: token).ids == f.ids(5, 3, 1))
            #expect(try await app.request(.get, "/api/v1/conversations?scope=mine", token: token).ids == [])
            let all = try await app.request(.get, "/api/v1/conversations", token: token)
            #expect(all.int("total") == 5)
            #expect(all.int("sequence")! > 0)
        }
    }

    @Test func eachStatus() async throws {
        try await Harness.run { app in
            let token = try await app.login("supervisor@acme.test")
            let f = app.fixture
            func ids(_ query: String) async throws -> [Int64] { try await app.request(.get, "/api/v1/conversations?\(query)", token: token).ids }
            #expect(try await ids("status=open") == f.ids(4, 3, 2, 1))
            #expect(try await ids("status=awaiting_reply") == f.ids(4, 3, 2))
            #expect(try await ids("status=send_failed") == f.ids(4))
            #expect(try await ids("status=finished") == f.ids(5))
            #expect(try await ids("status=automations") == f.ids(3))
            #expect(try await ids("status=automations,send_failed") == f.ids(4, 3))
            #expect(try await ids("status=automations&status=finished") == f.ids(5, 3))
        }
    }

    @Test func connectionTagStageAndDepartment() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let f = app.fixture
            func ids(_ query: String) async throws -> [Int64] { try await app.request(.get, "/api/v1/conversations?\(query)", token: token).ids }
            #expect(try await ids("connection=\(f.instagram)") == f.ids(5, 2))
            #expect(try await ids("connection=\(f.instagram),\(f.whatsapp)") == f.ids(5, 4, 3, 2, 1))
            #expect(try await ids("tag=\(f.vip)") == f.ids(1))
            #expect(try await ids("tag=\(f.vip),\(f.frio)") == f.ids(2, 1))
            #expect(try await ids("stage=\(f.proposta)") == f.ids(1))
            #expect(try await ids("stage=\(f.novo)") == f.ids(4))
            #expect(try await ids("department=\(f.vendas)") == f.ids(4, 1))
            #expect(try await ids("department=\(f.suporte)&status=open") == f.ids(2))
            #expect(try await ids("department=\(f.vendas)&scope=unassigned&order=oldest") == f.ids(1))
            // Another workspace's ids match nothing here.
            #expect(try await ids("tag=\(f.otherTag)") == [])
            #expect(try await ids("connection=\(f.otherConnection)") == [])
        }
    }

    @Test func agentsSeeTheirOwnDepartmentsAndUnrouted() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            #expect(try await app.request(.get, "/api/v1/conversations", token: vendas).ids == f.ids(4, 3, 1))
            #expect(try await app.request(.get, "/api/v1/conversations?scope=mine", token: vendas).ids == f.ids(4))
            // Filtering by a department the agent is not in shows nothing, never a leak.
            #expect(try await app.request(.get, "/api/v1/conversations?department=\(f.suporte)", token: vendas).ids == [])
            let suporte = try await app.login("suporte@acme.test")
            #expect(try await app.request(.get, "/api/v1/conversations", token: suporte).ids == f.ids(5, 3, 2))
            let counts = try await app.request(.get, "/api/v1/conversations/counts?status=open", token: suporte)
            #expect(counts.int("all") == 2)
            #expect(counts.int("mine") == 1)
            #expect(counts.int("unassigned") == 1)
        }
    }

    @Test func pagingFollowsTheCursorWithoutGapsOrRepeats() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            for order in ["newest", "oldest"] {
                var seen: [Int64] = []
                var cursor: String?
                repeat {
                    let query = "order=\(order)&limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                    let page = try await app.request(.get, "/api/v1/conversations?\(query)", token: token)
                    #expect(page.status == .ok)
                    #expect(page.int("total") == 5)
                    seen += page.ids
                    cursor = page["nextCursor"] as? String
                } while cursor != nil
                let expected = order == "newest" ? app.fixture.ids(5, 4, 3, 2, 1) : app.fixture.ids(1, 2, 3, 4, 5)
                #expect(seen == expected)
            }
        }
    }

    @Test func aConversationAndItsMessages() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let token = try await app.login("vendas@acme.test")
            let thread = try await app.request(.get, "/api/v1/conversations/\(f.conversations[3])", token: token)
            #expect(thread.status == .ok)
            let conversation = try #require(thread["conversation"] as? [String: Any])
            #expect(conversation["sendFailed"] as? Bool == true)
            #expect(conversation["assigneeId"] as? Int == Int(f.vendasAgent.id.rawValue))
            let messages = try #require(thread["messages"] as? [[String: Any]])
            #expect(messages.count == 2)
            #expect(messages.first?["deliveryStatus"] as? String == "failed")
            #expect(messages.first?["failureReason"] as? String == "Número inválido")
            // Conversation 2 belongs to Suporte: for a Vendas agent it does not exist.
            let hidden = try await app.request(.get, "/api/v1/conversations/\(f.conversations[1])", token: token)
            #expect(hidden.status == .notFound)
            #expect(hidden.errorCode == "not_found")
            let paged = try await app.request(.get, "/api/v1/conversations/\(f.conversations[3])/messages?limit=1", token: token)
            #expect(paged.items.count == 1)
            let before = try #require(paged.int("nextBefore"))
            let older = try await app.request(.get, "/api/v1/conversations/\(f.conversations[3])/messages?before=\(before)", token: token)
            #expect(older.items.first?["direction"] as? String == "inbound")
        }
    }

    @Test func sendingIsIdempotentOnTheClientMessageID() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let token = try await app.login("vendas@acme.test")
            let path = "/api/v1/conversations/\(f.conversations[0])/messages"
            // An agent replies to what they hold: first claim it.
            let unclaimed = try await app.request(.post, path, token: token, json: ["clientMessageId": "abc-0", "text": "Bom dia!"])
            #expect(unclaimed.status == .forbidden)
            let claim = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/claim", token: token)
            #expect(claim.status == .ok)
            let first = try await app.request(.post, path, token: token, json: ["clientMessageId": "abc-1", "text": "Bom dia!"])
            #expect(first.status == .created)
            let again = try await app.request(.post, path, token: token, json: ["clientMessageId": "abc-1", "text": "Bom dia!"])
            #expect(again.status == .ok)
            #expect(again["duplicate"] as? Bool == true)
            let firstMessage = try #require(first["message"] as? [String: Any])
            let againMessage = try #require(again["message"] as? [String: Any])
            #expect(firstMessage["id"] as? Int == againMessage["id"] as? Int)
            let list = try await app.request(.get, "/api/v1/conversations?status=awaiting_reply", token: token)
            #expect(list.ids.contains(f.conversations[0].rawValue))
            let read = try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/read", token: token)
            #expect((read["conversation"] as? [String: Any])?["unreadCount"] as? Int == 0)
        }
    }
}
