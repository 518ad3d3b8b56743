import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import InboxCore
import InboxStore
import Testing

/// Edges of the actions that a careless implementation gets wrong: repeated claims, a
/// resubmitted bulk whose selection is no longer valid, and an agent's manual automation
/// reaching a colleague's conversation.
@Suite struct ActionEdgeTests {
    @Test func claimingWhatOneHoldsAgainChangesNothing() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let path = "/api/v1/conversations/\(f.conversations[0])/claim"
            let first = try await app.request(.post, path, token: vendas)
            #expect(first.status == .ok)
            let again = try await app.request(.post, path, token: vendas)
            #expect(again.status == .ok)
            #expect(again["seq"] == nil)
            let before = (first["conversation"] as? [String: Any])?["version"] as? Int
            #expect((again["conversation"] as? [String: Any])?["version"] as? Int == before)
        }
    }

    @Test func aResubmittedBulkReturnsTheFirstRunEvenWhenItWouldNowBeRefused() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let automation = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Finalizar", "trigger": ["kind": "manual"], "actions": [["type": "finish"]],
            ])
            let automationID = try #require(automation.int("id"))
            let body: [String: Any] = [
                "idempotencyKey": "run-once", "action": ["type": "automation", "automationId": automationID],
                "conversationIds": [f.conversations[0].rawValue],
            ]
            let first = try await app.request(.post, "/api/v1/bulk", token: admin, json: body)
            #expect(first.status == .accepted)
            let runID = try #require((first["run"] as? [String: Any])?["id"] as? Int)
            _ = try await app.awaitRun(runID, token: admin)
            // The automation is switched off: a new run would be refused, the resubmission is not.
            let off = try await app.request(.put, "/api/v1/automations/\(automationID)", token: admin, json: [
                "name": "Finalizar", "trigger": ["kind": "manual"], "actions": [["type": "finish"]], "active": false,
            ])
            #expect(off.status == .ok)
            let again = try await app.request(.post, "/api/v1/bulk", token: admin, json: body)
            #expect(again.status == .ok)
            #expect(again["duplicate"] as? Bool == true)
            #expect((again["run"] as? [String: Any])?["id"] as? Int == runID)
            var fresh = body
            fresh["idempotencyKey"] = "run-twice"
            #expect(try await app.request(.post, "/api/v1/bulk", token: admin, json: fresh).status == .unprocessableContent)
        }
    }

    @Test func anAgentsManualAutomationNeverReachesAColleaguesConversation() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let automation = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Finalizar", "trigger": ["kind": "manual"], "actions": [["type": "finish"]],
            ])
            let automationID = try #require(automation.int("id"))
            // c1 is unassigned in Vendas; hand it to the supervisor, a colleague of the Vendas agent.
            let moved = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/transfer", token: supervisor,
                                              json: ["agentId": f.supervisor.id.rawValue])
            #expect(moved.status == .ok)
            let started = try await app.request(.post, "/api/v1/bulk", token: vendas, json: [
                "idempotencyKey": "k", "action": ["type": "automation", "automationId": automationID],
                "conversationIds": [f.conversations[0].rawValue, f.conversations[3].rawValue],
            ])
            let runID = try #require((started["run"] as? [String: Any])?["id"] as? Int)
            let run = try await app.awaitRun(runID, token: vendas)
            let outcomes = Dictionary(uniqueKeysWithValues: ((run["items"] as? [[String: Any]]) ?? []).compactMap { item -> (Int64, String)? in
                guard let id = (item["conversationId"] as? NSNumber)?.int64Value, let outcome = item["outcome"] as? String else { return nil }
                return (id, outcome)
            })
            #expect(outcomes[f.conversations[0].rawValue] == "forbidden")
            #expect(outcomes[f.conversations[3].rawValue] == "done") // the agent's own
            let colleague = try await app.request(.get, "/api/v1/conversations/\(f.conversations[0])", token: admin)
            #expect((colleague["conversation"] as? [String: Any])?["status"] as? String == "open")
        }
    }
}

@Suite struct OutboundRouteTests {
    @Test func outboundSettingsRefuseBadInputAndNonAdmins() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            let path = "/api/v1/connections/\(f.whatsapp)/outbound"
            #expect(try await app.request(.put, path, token: vendas, json: ["adapter": "sandbox"]).status == .forbidden)
            #expect(try await app.request(.put, path, token: admin, body: "{oops").errorCode == "malformed_json")
            #expect(try await app.request(.put, path, token: admin, json: ["adapter": "carrier-pigeon"]).status == .unprocessableContent)
            #expect(try await app.request(.put, path, token: admin, json: ["adapter": "webhook", "url": "ftp://x/y"]).errorField == "url")
            #expect(try await app.request(.put, path, token: admin, json: ["adapter": "sandbox", "delayMs": 60_000]).errorField == "delayMs")
            #expect(try await app.request(.put, path, token: admin, json: ["adapter": "sandbox", "colour": 1]).errorCode == "unknown_field")
            #expect(try await app.request(.put, "/api/v1/connections/\(f.otherConnection)/outbound", token: admin,
                                          json: ["adapter": "sandbox"]).status == .notFound)
            // Nothing of the refused requests stuck; a good one answers the secret once.
            let listed = try await app.request(.get, "/api/v1/connections", token: admin)
            #expect(listed.items.allSatisfy { ($0["outbound"] as? [String: Any])?["adapter"] as? String == "none" })
            let good = try await app.request(.put, path, token: admin, json: ["adapter": "webhook", "url": "https://gw.example/hook"])
            #expect(good.status == .ok)
            #expect((good["signingSecret"] as? String)?.isEmpty == false)
        }
    }
}

@Suite struct AtomicReplyTests {
    /// The reply rule is checked inside the store's transaction: once the conversation is no
    /// longer the agent's, their message is refused and nothing is stored.
    @Test func aReplyRequiringTheHolderIsRefusedOnceItMovedAway() async throws {
        let f = try await InboxFixture.make()
        let c4 = f.conversations[3] // held by the Vendas agent
        func reply(_ key: String) -> OutboundMessage {
            OutboundMessage(author: .agent(f.vendasAgent.id), clientMessageID: key, text: "Oi", requiredAssignee: f.vendasAgent.id)
        }
        let sent = try await f.store.sendOutbound(reply("held"), to: c4, in: f.acme)
        #expect(sent.duplicate == false)
        _ = try await f.store.assign(AssignmentChange(conversationID: c4, condition: .init(), assigneeID: f.suporteAgent.id), in: f.acme)
        let before = try await f.store.messages(of: c4, in: f.acme, before: nil, limit: 100).count
        await #expect(throws: InboxError.forbidden(reason: "claim the conversation before replying to it")) {
            _ = try await f.store.sendOutbound(reply("moved"), to: c4, in: f.acme)
        }
        #expect(try await f.store.messages(of: c4, in: f.acme, before: nil, limit: 100).count == before)
    }
}

@Suite struct MetricsEndpointTests {
    @Test func metricsCountClaimsAndServeTheGauges() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/claim", token: vendas).status == .ok)
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/claim", token: supervisor).status == .conflict)
            let text = try await app.text(.get, "/metrics")
            let lines = Set(text.split(separator: "\n").map(String.init))
            #expect(lines.contains(#"switchboard_claims_total{outcome="won"} 1"#), "\(text)")
            #expect(lines.contains(#"switchboard_claims_total{outcome="conflict"} 1"#))
            #expect(lines.contains("switchboard_connections 0.0"))
            #expect(text.contains("switchboard_change_to_push_seconds"))
        }
    }
}

extension Harness {
    /// A plain-text answer's body.
    func text(_ method: HTTPRequest.Method, _ path: String) async throws -> String {
        try await client.execute(uri: path, method: method, headers: [:], body: nil) { response in
            String(decoding: response.body.readableBytesView, as: UTF8.self)
        }
    }
}
