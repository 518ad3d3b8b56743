import HTTPTypes
import InboxCore
import Testing

/// The agent's actions on one conversation over HTTP: who may do what, what a lost
/// compare-and-set answers, the traffic cop, failed messages, and bad input.
@Suite struct CommandRoutesTests {
    @Test func claimTakesAnUnassignedConversationAndLosersHearWhoWon() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let suporte = try await app.login("suporte@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let c1 = f.conversations[0], c3 = f.conversations[2], c5 = f.conversations[4]

            // Conversation 1 is in Vendas: the Suporte agent cannot see it, so it does not exist for them.
            let hidden = try await app.request(.post, "/api/v1/conversations/\(c1)/claim", token: suporte)
            #expect(hidden.status == .notFound)
            #expect(hidden.errorCode == "not_found")

            let won = try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: vendas)
            #expect(won.status == .ok)
            #expect(won.conversationJSON?["assigneeId"] as? Int == Int(f.vendasAgent.id.rawValue))
            #expect(won.int("seq") != nil, "a change was made")

            let lost = try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: suporte)
            #expect(lost.status == .conflict)
            #expect(lost.errorCode == "conflict")
            #expect(lost.errorJSON?["reason"] as? String == "assignee_changed")
            #expect(lost.errorJSON?["conversationId"] as? Int == Int(c3.rawValue))
            #expect((lost.errorJSON?["assignee"] as? [String: Any])?["name"] as? String == "vendas")
            #expect((lost.errorJSON?["assignee"] as? [String: Any])?["id"] as? Int == Int(f.vendasAgent.id.rawValue))
            #expect(lost.errorJSON?["version"] as? Int == won.conversationJSON?["version"] as? Int)
            // Still the winner's.
            #expect(try await app.fetchConversation(c3, token: supervisor)?["assigneeId"] as? Int == Int(f.vendasAgent.id.rawValue))

            let finished = try await app.request(.post, "/api/v1/conversations/\(c5)/claim", token: supervisor)
            #expect(finished.status == .conflict)
            #expect(finished.errorJSON?["reason"] as? String == "not_open")
            #expect(try await app.fetchConversation(c5, token: supervisor)?["assigneeId"] == nil)
        }
    }

    @Test func claimRespectsCapacityAndTheVersionTheCallerSaw() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            let c1 = f.conversations[0], c3 = f.conversations[2]

            // The Vendas agent already holds conversation 4 (open): a cap of 1 is reached.
            let capped = try await app.request(.patch, "/api/v1/agents/\(f.vendasAgent.id)", token: admin, json: ["maxOpenConversations": 1])
            #expect(capped.status == .ok)
            #expect(capped["maxOpenConversations"] as? Int == 1)
            let full = try await app.request(.post, "/api/v1/conversations/\(c1)/claim", token: vendas)
            #expect(full.status == .conflict)
            #expect(full.errorJSON?["reason"] as? String == "capacity_reached")
            #expect(try await app.fetchConversation(c1, token: admin)?["assigneeId"] == nil)
            // A transfer to an agent at capacity loses the same way.
            let transfer = try await app.request(.post, "/api/v1/conversations/\(c3)/transfer", token: admin, json: ["agentId": f.vendasAgent.id.rawValue])
            #expect(transfer.status == .conflict)
            #expect(transfer.errorJSON?["reason"] as? String == "capacity_reached")
            #expect(try await app.fetchConversation(c3, token: admin)?["assigneeId"] == nil)
            // Finishing what they hold frees a place.
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/finish", token: vendas).status == .ok)
            #expect(try await app.request(.post, "/api/v1/conversations/\(c1)/claim", token: vendas).status == .ok)

            // A claim pinned to a version that is no longer current loses, and changes nothing.
            let seen = try #require(try await app.fetchConversation(c3, token: admin)?["version"] as? Int)
            _ = try await app.request(.post, "/api/v1/conversations/\(c3)/read", token: admin)
            _ = try await app.request(.post, "/api/v1/conversations/\(c3)/tags", token: admin, json: ["tagId": f.frio.rawValue])
            let stale = try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: admin, json: ["version": seen])
            #expect(stale.status == .conflict)
            #expect(stale.errorJSON?["reason"] as? String == "version_changed")
            let now = try #require(try await app.fetchConversation(c3, token: admin))
            #expect(now["assigneeId"] == nil)
            #expect(stale.errorJSON?["version"] as? Int == now["version"] as? Int)
            let current = try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: admin, json: ["version": now["version"] as? Int ?? 0])
            #expect(current.status == .ok)
            #expect(current.conversationJSON?["assigneeId"] as? Int == Int(f.admin.id.rawValue))
        }
    }

    @Test func releaseIsTheHoldersOrASupervisors() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let suporte = try await app.login("suporte@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let c3 = f.conversations[2], c4 = f.conversations[3]

            let own = try await app.request(.post, "/api/v1/conversations/\(c4)/release", token: vendas)
            #expect(own.status == .ok)
            #expect(own.conversationJSON?["assigneeId"] == nil)
            #expect(own.conversationJSON?["departmentIds"] as? [Int] == [Int(f.vendas.rawValue)], "back in its queue")

            // Conversation 3 has no department: the Vendas agent sees the colleague's claim but may not undo it.
            #expect(try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: suporte).status == .ok)
            let colleagues = try await app.request(.post, "/api/v1/conversations/\(c3)/release", token: vendas)
            #expect(colleagues.status == .forbidden)
            #expect(colleagues.errorCode == "forbidden")
            #expect(try await app.fetchConversation(c3, token: supervisor)?["assigneeId"] as? Int == Int(f.suporteAgent.id.rawValue))

            let bySupervisor = try await app.request(.post, "/api/v1/conversations/\(c3)/release", token: supervisor)
            #expect(bySupervisor.status == .ok)
            #expect(bySupervisor.conversationJSON?["assigneeId"] == nil)
        }
    }

    @Test func transferToADepartmentOrAnAgent() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let c1 = f.conversations[0], c2 = f.conversations[1], c3 = f.conversations[2], c4 = f.conversations[3]

            // To a department alone: unassigned, waiting in that department's queue.
            let toQueue = try await app.request(.post, "/api/v1/conversations/\(c2)/transfer", token: supervisor,
                                                json: ["departmentId": f.vendas.rawValue])
            #expect(toQueue.status == .ok)
            #expect(toQueue.conversationJSON?["assigneeId"] == nil)
            #expect(toQueue.conversationJSON?["departmentIds"] as? [Int] == [Int(f.vendas.rawValue)])
            // ...where the Vendas agent now sees it.
            #expect(try await app.request(.get, "/api/v1/conversations/\(c2)", token: vendas).status == .ok)

            let toAgent = try await app.request(.post, "/api/v1/conversations/\(c3)/transfer", token: supervisor,
                                                json: ["agentId": f.vendasAgent.id.rawValue])
            #expect(toAgent.status == .ok)
            #expect(toAgent.conversationJSON?["assigneeId"] as? Int == Int(f.vendasAgent.id.rawValue))

            // The holder passes their own conversation on.
            let handOver = try await app.request(.post, "/api/v1/conversations/\(c4)/transfer", token: vendas,
                                                 json: ["agentId": f.suporteAgent.id.rawValue, "departmentId": f.suporte.rawValue])
            #expect(handOver.status == .ok)
            #expect(handOver.conversationJSON?["assigneeId"] as? Int == Int(f.suporteAgent.id.rawValue))
            #expect(handOver.conversationJSON?["departmentIds"] as? [Int] == [Int(f.suporte.rawValue)])

            // An agent may not transfer what they do not hold (conversation 1 is unassigned in Vendas).
            let notOwn = try await app.request(.post, "/api/v1/conversations/\(c1)/transfer", token: vendas,
                                               json: ["departmentId": f.suporte.rawValue])
            #expect(notOwn.status == .forbidden)
            #expect(try await app.fetchConversation(c1, token: supervisor)?["departmentIds"] as? [Int] == [Int(f.vendas.rawValue)])

            let unknownAgent = try await app.request(.post, "/api/v1/conversations/\(c1)/transfer", token: supervisor, json: ["agentId": 987_654])
            #expect(unknownAgent.status == .unprocessableContent)
            #expect(unknownAgent.errorCode == "invalid_reference")
            #expect(unknownAgent.errorField == "agentId")
            let unknownDepartment = try await app.request(.post, "/api/v1/conversations/\(c1)/transfer", token: supervisor,
                                                          json: ["departmentId": f.otherDepartment.rawValue])
            #expect(unknownDepartment.status == .unprocessableContent)
            #expect(unknownDepartment.errorCode == "invalid_reference")
            let empty = try await app.request(.post, "/api/v1/conversations/\(c1)/transfer", token: supervisor, body: "{}")
            #expect(empty.status == .unprocessableContent)
            #expect(empty.errorCode == "invalid_field")
            let after = try #require(try await app.fetchConversation(c1, token: supervisor))
            #expect(after["assigneeId"] == nil)
            #expect(after["departmentIds"] as? [Int] == [Int(f.vendas.rawValue)])
        }
    }

    @Test func finishAndReopen() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let suporte = try await app.login("suporte@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let c1 = f.conversations[0], c3 = f.conversations[2], c4 = f.conversations[3]

            let finished = try await app.request(.post, "/api/v1/conversations/\(c4)/finish", token: vendas)
            #expect(finished.status == .ok)
            #expect(finished.conversationJSON?["status"] as? String == "finished")
            #expect(finished.conversationJSON?["sendFailed"] as? Bool == false, "finishing dismisses the failure")
            #expect(try await app.request(.get, "/api/v1/conversations?status=finished", token: supervisor).ids.sorted() == f.ids(4, 5))
            let reopened = try await app.request(.post, "/api/v1/conversations/\(c4)/reopen", token: vendas)
            #expect(reopened.status == .ok)
            #expect(reopened.conversationJSON?["status"] as? String == "open")

            // Unassigned ones the agent sees may be finished too.
            let unassigned = try await app.request(.post, "/api/v1/conversations/\(c1)/finish", token: vendas)
            #expect(unassigned.conversationJSON?["status"] as? String == "finished")

            // Never a colleague's.
            #expect(try await app.request(.post, "/api/v1/conversations/\(c3)/claim", token: suporte).status == .ok)
            let colleagues = try await app.request(.post, "/api/v1/conversations/\(c3)/finish", token: vendas)
            #expect(colleagues.status == .forbidden)
            #expect(try await app.fetchConversation(c3, token: supervisor)?["status"] as? String == "open")
            // A stale version loses.
            let version = try #require(try await app.fetchConversation(c3, token: supervisor)?["version"] as? Int)
            let stale = try await app.request(.post, "/api/v1/conversations/\(c3)/finish", token: supervisor, json: ["version": version - 1])
            #expect(stale.status == .conflict)
            #expect(stale.errorJSON?["reason"] as? String == "version_changed")
            #expect(try await app.request(.post, "/api/v1/conversations/\(c3)/finish", token: supervisor, json: ["version": version]).status == .ok)
        }
    }

    @Test func tagsAreAddedAndRemoved() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let c1 = f.conversations[0]
            let added = try await app.request(.post, "/api/v1/conversations/\(c1)/tags", token: vendas, json: ["tagId": f.frio.rawValue])
            #expect(added.status == .ok)
            #expect(added.conversationJSON?["tagIds"] as? [Int] == [f.vip, f.frio].map { Int($0.rawValue) }.sorted())
            let removed = try await app.request(.delete, "/api/v1/conversations/\(c1)/tags/\(f.vip)", token: vendas)
            #expect(removed.status == .ok)
            #expect(removed.conversationJSON?["tagIds"] as? [Int] == [Int(f.frio.rawValue)])
            #expect(try await app.fetchConversation(c1, token: vendas)?["tagIds"] as? [Int] == [Int(f.frio.rawValue)])
            let foreign = try await app.request(.post, "/api/v1/conversations/\(c1)/tags", token: vendas, json: ["tagId": f.otherTag.rawValue])
            #expect(foreign.status == .unprocessableContent)
            #expect(foreign.errorCode == "invalid_reference")
        }
    }

    @Test func agentsReplyToWhatTheyHold() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let c1 = f.conversations[0], c4 = f.conversations[3]
            let notHeld = try await app.request(.post, "/api/v1/conversations/\(c1)/messages", token: vendas,
                                                json: ["clientMessageId": "n-1", "text": "Oi"])
            #expect(notHeld.status == .forbidden)
            #expect(try await app.fetchMessages(c1, token: vendas).count == 1, "nothing was stored")
            let held = try await app.request(.post, "/api/v1/conversations/\(c4)/messages", token: vendas,
                                             json: ["clientMessageId": "h-1", "text": "Segue a proposta"])
            #expect(held.status == .created)
            let message = try #require(held["message"] as? [String: Any])
            #expect(message["text"] as? String == "Segue a proposta")
            #expect(message["authorAgentId"] as? Int == Int(f.vendasAgent.id.rawValue))
            #expect(message["deliveryStatus"] as? String == "pending")
            #expect(try await app.fetchMessages(c4, token: vendas).first?["text"] as? String == "Segue a proposta")
        }
    }

    @Test func trafficCopHoldsAReplyWrittenBeforeTheCustomersLatestMessage() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let c4 = f.conversations[3]
            let seen = try #require(try await app.fetchConversation(c4, token: vendas)?["version"] as? Int)
            let inbound = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret,
                                                json: ["messageId": "wamid.cop", "from": ["handle": "+55 11 90004"], "text": "Na verdade mudei de ideia"])
            #expect(inbound.status == .created)
            #expect(inbound.conversationJSON?["id"] as? Int == Int(c4.rawValue))
            let latest = try #require(inbound.conversationJSON?["version"] as? Int)
            let before = try await app.fetchMessages(c4, token: vendas).count

            let held = try await app.request(.post, "/api/v1/conversations/\(c4)/messages", token: vendas,
                                             json: ["clientMessageId": "cop-1", "text": "Fechado então!", "seenVersion": seen])
            #expect(held.status == .conflict)
            #expect(held.errorCode == "newer_inbound")
            #expect(held.errorJSON?["latestInboundVersion"] as? Int == latest)
            let after = try await app.fetchMessages(c4, token: vendas)
            #expect(after.count == before, "the held reply was not stored")
            #expect(!after.contains { $0["text"] as? String == "Fechado então!" })

            let current = try #require(try await app.fetchConversation(c4, token: vendas)?["version"] as? Int)
            let sent = try await app.request(.post, "/api/v1/conversations/\(c4)/messages", token: vendas,
                                             json: ["clientMessageId": "cop-2", "text": "Sem problemas, ajusto", "seenVersion": current])
            #expect(sent.status == .created)
            #expect(try await app.fetchMessages(c4, token: vendas).first?["text"] as? String == "Sem problemas, ajusto")
        }
    }

    @Test func failedMessagesAreResentOrDismissedByTheirHolder() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let suporte = try await app.login("suporte@acme.test")
            let failed = f.failedMessage
            #expect(try await app.fetchConversation(f.conversations[3], token: vendas)?["sendFailed"] as? Bool == true)

            // Someone who cannot see conversation 4 cannot touch its messages.
            #expect(try await app.request(.post, "/api/v1/messages/\(failed)/resend", token: suporte).status == .notFound)

            // Only whoever holds the conversation resends (the reply policy): released, it is nobody's.
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/release", token: vendas).status == .ok)
            #expect(try await app.request(.post, "/api/v1/messages/\(failed)/resend", token: vendas).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/messages/\(failed)/dismiss", token: vendas).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/claim", token: vendas).status == .ok)

            let resent = try await app.request(.post, "/api/v1/messages/\(failed)/resend", token: vendas)
            #expect(resent.status == .ok)
            #expect((resent["message"] as? [String: Any])?["deliveryStatus"] as? String == "pending")
            #expect(resent.conversationJSON?["sendFailed"] as? Bool == false)
            // It is pending now, not failed: nothing to resend.
            let notFailed = try await app.request(.post, "/api/v1/messages/\(failed)/resend", token: vendas)
            #expect(notFailed.status == .unprocessableContent)
            #expect(notFailed.errorCode == "invalid_field")

            // The provider fails it again; this time the agent gives up on it.
            let report = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/delivery", token: f.whatsappSecret,
                                               json: ["messageId": failed.rawValue, "status": "failed", "reason": "Número inválido"])
            #expect(report.conversationJSON?["sendFailed"] as? Bool == true)
            let dismissed = try await app.request(.post, "/api/v1/messages/\(failed)/dismiss", token: vendas)
            #expect(dismissed.status == .ok)
            #expect(dismissed.conversationJSON?["sendFailed"] as? Bool == false)
            #expect(try await app.request(.get, "/api/v1/conversations?status=send_failed", token: vendas).ids == [])
            #expect(try await app.request(.post, "/api/v1/messages/987654/dismiss", token: vendas).status == .notFound)
        }
    }

    @Test func badInputIsRefusedAndChangesNothing() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let admin = try await app.login("admin@acme.test")
            let claim = "/api/v1/conversations/\(f.conversations[0])/claim"
            let cases: [(String, HTTPResponse.Status, String, String?)] = [
                (#"{"version": "#, .badRequest, "malformed_json", nil),
                ("[1]", .badRequest, "malformed_json", nil),
                (#"{"versoin": 1}"#, .unprocessableContent, "unknown_field", "versoin"),
                (#"{"version": "1"}"#, .unprocessableContent, "invalid_field", "version"),
                (#"{"version": 1.5}"#, .unprocessableContent, "invalid_field", nil),
            ]
            for (body, status, code, field) in cases {
                let reply = try await app.request(.post, claim, token: vendas, body: body)
                #expect(reply.status == status, "body \(body)")
                #expect(reply.errorCode == code, "body \(body)")
                if let field { #expect(reply.errorField == field, "body \(body)") }
            }
            let wrongType = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/transfer", token: admin,
                                                  json: ["agentId": "vendas"])
            #expect(wrongType.errorCode == "invalid_field")
            #expect(wrongType.errorField == "agentId")
            let typo = try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/messages", token: vendas,
                                             json: ["clientMessageId": "t-1", "txt": "Oi"])
            #expect(typo.errorCode == "unknown_field")
            #expect(typo.errorField == "txt")
            let missing = try await app.request(.post, "/api/v1/conversations/\(f.conversations[3])/messages", token: vendas, json: ["text": "Oi"])
            #expect(missing.errorCode == "missing_field")
            #expect(missing.errorField == "clientMessageId")
            #expect(try await app.fetchConversation(f.conversations[0], token: admin)?["assigneeId"] == nil, "no bad claim applied")

            for action in ["claim", "release", "finish", "reopen", "read"] {
                let foreign = try await app.request(.post, "/api/v1/conversations/\(f.otherConversation)/\(action)", token: admin)
                #expect(foreign.status == .notFound, "\(action) on another workspace's conversation")
                #expect(foreign.errorCode == "not_found")
            }
            #expect(try await app.request(.post, "/api/v1/conversations/999999/claim", token: admin).status == .notFound)
            #expect(try await app.request(.post, "/api/v1/conversations/abc/claim", token: admin).status == .notFound)
            #expect(try await app.request(.post, "/api/v1/messages/\(f.failedMessage)/resend", token: try await app.loginOther()).status == .notFound)

            let anonymous = try await app.request(.post, claim)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.errorCode == "unauthorized")
            #expect(try await app.request(.post, claim, token: "not-a-token").status == .unauthorized)
            #expect(try await app.request(.post, "/api/v1/messages/\(f.failedMessage)/dismiss").status == .unauthorized)
            #expect(try await app.fetchConversation(f.conversations[0], token: admin)?["assigneeId"] == nil)
        }
    }
}

extension Reply {
    /// The `conversation` object of an action's answer.
    var conversationJSON: [String: Any]? { self["conversation"] as? [String: Any] }
    /// The `error` object of an error answer.
    var errorJSON: [String: Any]? { self["error"] as? [String: Any] }
}

extension Harness {
    /// The conversation as `token`'s agent sees it (`nil` when they may not).
    func fetchConversation(_ id: ConversationID, token: String) async throws -> [String: Any]? {
        try await request(.get, "/api/v1/conversations/\(id)", token: token).conversationJSON
    }

    /// The conversation's newest messages, newest first.
    func fetchMessages(_ id: ConversationID, token: String) async throws -> [[String: Any]] {
        (try await request(.get, "/api/v1/conversations/\(id)", token: token)["messages"] as? [[String: Any]]) ?? []
    }

    /// A session in the other workspace.
    func loginOther() async throws -> String { try await login("intruder@other.test") }
}
