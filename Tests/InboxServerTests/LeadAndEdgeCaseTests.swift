import HTTPTypes
import Foundation
import InboxCore
import InboxStore
import Testing

/// Behaviours found by review: each was wrong once.
@Suite struct LeadAndEdgeCaseTests {
    @Test func theCRMAdoptsAContactThatWroteFirst() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let inbound = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret,
                                                json: ["messageId": "first", "from": ["handle": "+55 31 97777-1111", "name": "Zé"], "text": "Oi"])
            let conversation = try #require(inbound["conversation"] as? [String: Any])
            let admin = try await app.login("admin@acme.test")
            let adopted = try await app.request(.put, "/api/v1/contacts", token: admin, json: [
                "externalId": "crm-77", "name": "José da Silva", "tagIds": [f.vip.rawValue],
                "handles": [["connectionId": f.whatsapp.rawValue, "handle": "+55 31 97777-1111"]],
            ])
            #expect(adopted.status == .ok)
            #expect(adopted.int("id") == (conversation["contactId"] as? NSNumber)?.int64Value)
            let thread = try await app.request(.get, "/api/v1/conversations/\(conversation["id"]!)", token: admin)
            let updated = try #require(thread["conversation"] as? [String: Any])
            #expect(updated["contactName"] as? String == "José da Silva")
            #expect(updated["tagIds"] as? [Int] == [Int(f.vip.rawValue)])
            // A handle that belongs to another CRM lead is not taken over.
            let stolen = try await app.request(.put, "/api/v1/contacts", token: admin, json: [
                "externalId": "crm-78", "name": "Outro", "handles": [["connectionId": f.whatsapp.rawValue, "handle": "+55 31 97777-1111"]],
            ])
            #expect(stolen.status == .conflict)
            #expect(stolen.errorField == "handles")
        }
    }

    @Test func leadsAreReadByAdminsAndSupervisorsOnly() async throws {
        try await Harness.run { app in
            let agent = try await app.login("vendas@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let contactID = try await app.fixture.store.conversation(app.fixture.conversations[1], in: app.fixture.acme).contactID
            #expect(try await app.request(.get, "/api/v1/contacts/\(contactID)", token: agent).status == .forbidden)
            let lead = try await app.request(.get, "/api/v1/contacts/\(contactID)", token: supervisor)
            #expect((lead["contact"] as? [String: Any])?["externalId"] as? String == "lead-2")
        }
    }

    @Test func smallerContracts() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let activeOnCreate = try await app.request(.post, "/api/v1/tags", token: admin, json: ["name": "Novo", "active": false])
            #expect(activeOnCreate.errorField == "active")
            let unauthorized = try await app.request(.get, "/api/v1/agents")
            #expect(unauthorized.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let repeated = try await app.request(.get, "/api/v1/conversations/\(f.conversations[0])/messages?limit=1&limit=2", token: admin)
            #expect(repeated.errorCode == "invalid_query")
            let manyTags = (1...201).map(String.init).joined(separator: ",")
            #expect(try await app.request(.get, "/api/v1/conversations?tag=\(manyTags)", token: admin).errorField == "tag")
            let fractional = try await app.request(.post, "/api/v1/agents", token: admin,
                                                   body: #"{"name":"x","email":"x@acme.test","password":"12345678","role":"agent","maxOpenConversations":1.5}"#)
            #expect(fractional.errorCode == "invalid_field")
        }
    }

    @Test func aCustomerWritingAgainReopensWithFlagsDerivedFromTheThread() async throws {
        try await Harness.run { app in
            let f = app.fixture
            // Conversation 4 has a failed reply; finishing dismisses it; a new failure arrives after.
            let admin = try await app.login("admin@acme.test")
            _ = try await f.store.finish(f.conversations[3], in: f.acme)
            #expect(try await app.request(.get, "/api/v1/conversations?status=send_failed", token: admin).ids == [])
            let reopened = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret,
                                                 json: ["messageId": "again-4", "from": ["handle": "+55 11 90004"], "text": "Ainda aguardo"])
            let conversation = try #require(reopened["conversation"] as? [String: Any])
            #expect(conversation["status"] as? String == "open")
            #expect(conversation["sendFailed"] as? Bool == false, "the old failure was dismissed by finishing")
            #expect(conversation["awaitingReply"] as? Bool == false)
        }
    }
}
