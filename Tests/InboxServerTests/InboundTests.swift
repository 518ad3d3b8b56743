import HTTPTypes
import InboxCore
import Testing

@Suite struct InboundTests {
    @Test func inboundCreatesThenReopensAndIsIdempotent() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let path = "/api/v1/connections/\(f.whatsapp)/inbound"
            let body: [String: Any] = ["messageId": "wamid.1", "from": ["handle": "+55 21 98888-0000", "name": "Cliente Novo"], "text": "Quero comprar"]
            let created = try await app.request(.post, path, token: f.whatsappSecret, json: body)
            #expect(created.status == .created)
            let conversation = try #require(created["conversation"] as? [String: Any])
            #expect(conversation["contactName"] as? String == "Cliente Novo")
            #expect(conversation["unreadCount"] as? Int == 1)
            let repeated = try await app.request(.post, path, token: f.whatsappSecret, json: body)
            #expect(repeated.status == .ok)
            #expect(repeated["duplicate"] as? Bool == true)

            let admin = try await app.login("admin@acme.test")
            let unassigned = try await app.request(.get, "/api/v1/conversations?scope=unassigned&status=open", token: admin)
            #expect(unassigned.int("total") == 3)
            // A customer writing into a finished conversation reopens it.
            let reopened = try await app.request(.post, "/api/v1/connections/\(f.instagram)/inbound", token: "ig",
                                                 json: ["messageId": "ig.2", "from": ["handle": "+55 11 90005"], "text": "Voltei"])
            #expect((reopened["conversation"] as? [String: Any])?["status"] as? String == "open")
            #expect((reopened["conversation"] as? [String: Any])?["id"] as? Int == Int(f.conversations[4].rawValue))
            #expect(try await app.request(.get, "/api/v1/conversations?status=finished", token: admin).ids == [])
        }
    }

    @Test func connectionsAuthenticateWithTheirOwnSecret() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let body: [String: Any] = ["messageId": "x", "from": ["handle": "h"], "text": "t"]
            let none = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", json: body)
            #expect(none.status == .unauthorized)
            let wrong = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: "ig", json: body)
            #expect(wrong.errorCode == "invalid_credentials")
            let agentToken = try await app.login("admin@acme.test")
            #expect(try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: agentToken, json: body).status == .unauthorized)
            let unknown = try await app.request(.post, "/api/v1/connections/987654/inbound", token: f.whatsappSecret, json: body)
            #expect(unknown.status == .unauthorized)
            _ = try await app.request(.delete, "/api/v1/connections/\(f.whatsapp)", token: agentToken)
            let inactive = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret, json: body)
            #expect(inactive.status == .forbidden)
            // Rotating the secret retires the old one.
            let rotated = try await app.request(.post, "/api/v1/connections/\(f.instagram)/secret", token: agentToken)
            let newSecret = try #require(rotated["secret"] as? String)
            #expect(try await app.request(.post, "/api/v1/connections/\(f.instagram)/inbound", token: "ig", json: body).status == .unauthorized)
            #expect(try await app.request(.post, "/api/v1/connections/\(f.instagram)/inbound", token: newSecret, json: body).status == .created)
        }
    }

    @Test func deliveryReportsDriveSendFailed() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let sent = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/messages", token: admin,
                                             json: ["clientMessageId": "d-1", "text": "Proposta segue"])
            let messageID = try #require((sent["message"] as? [String: Any])?["id"] as? Int)
            let failed = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/delivery", token: f.whatsappSecret,
                                               json: ["messageId": messageID, "status": "failed", "reason": "Janela de 24h expirada"])
            #expect(failed.status == .ok)
            #expect(try await app.request(.get, "/api/v1/conversations?status=send_failed", token: admin).ids == f.ids(1, 4), "conversation 1 has the newest activity: the reply")
            // A late "sent" after a failure means the resend worked.
            _ = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/delivery", token: f.whatsappSecret,
                                      json: ["messageId": messageID, "status": "delivered"])
            #expect(try await app.request(.get, "/api/v1/conversations?status=send_failed", token: admin).ids == f.ids(4))
            // Reports through another connection, or about inbound messages, are refused.
            let viaInstagram = try await app.request(.post, "/api/v1/connections/\(f.instagram)/delivery", token: "ig",
                                                     json: ["messageId": messageID, "status": "read"])
            #expect(viaInstagram.status == .notFound)
            let badStatus = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/delivery", token: f.whatsappSecret,
                                                  json: ["messageId": messageID, "status": "lost"])
            #expect(badStatus.errorCode == "invalid_field")
        }
    }
}
