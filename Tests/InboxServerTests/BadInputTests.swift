import HTTPTypes
import InboxCore
import Testing

/// Every entry point fed bad input answers the documented error and changes nothing.
@Suite struct BadInputTests {
    @Test func malformedWrongTypedUnknownAndMissingFields() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let cases: [(String, String, String)] = [
                (#"{"name": "#, "malformed_json", ""),
                ("[1,2]", "malformed_json", ""),
                ("", "malformed_json", ""),
                (#"{"name": 42}"#, "invalid_field", "name"),
                (##"{"name": "A", "colour": "#fff"}"##, "unknown_field", "colour"),
                (#"{"name": "   "}"#, "invalid_field", "name"),
            ]
            for (body, code, field) in cases {
                let reply = try await app.request(.post, "/api/v1/tags", token: token, body: body)
                #expect(reply.errorCode == code, "body \(body)")
                if !field.isEmpty { #expect(reply.errorField == field, "body \(body)") }
                #expect([.badRequest, .unprocessableContent].contains(reply.status))
            }
            let missing = try await app.request(.post, "/api/v1/agents", token: token, json: ["name": "Sem email"])
            #expect(missing.errorCode == "missing_field")
            let badEnum = try await app.request(.post, "/api/v1/agents", token: token, json: [
                "name": "x", "email": "x@acme.test", "password": "12345678", "role": "superuser"])
            #expect(badEnum.errorCode == "invalid_field")
            #expect(badEnum.errorField == "role")
            let nested = try await app.request(.post, "/api/v1/connections/\(app.fixture.whatsapp)/inbound",
                                               headers: [.authorization: "Bearer \(app.fixture.whatsappSecret)"])
            #expect(nested.errorCode == "malformed_json")
            #expect(try await app.request(.get, "/api/v1/tags", token: token).items.count == 2, "nothing was created")
        }
    }

    @Test func wrongIdsAndOtherWorkspacesIds() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let token = try await app.login("admin@acme.test")
            for path in ["/api/v1/conversations/\(f.otherConversation)", "/api/v1/conversations/999999", "/api/v1/conversations/abc",
                         "/api/v1/conversations/-1", "/api/v1/agents/424242", "/api/v1/contacts/777"] {
                let reply = try await app.request(.get, path, token: token)
                #expect(reply.status == .notFound, "\(path)")
                #expect(reply.errorCode == "not_found", "\(path)")
            }
            let foreignDepartment = try await app.request(.post, "/api/v1/agents", token: token, json: [
                "name": "x", "email": "x@acme.test", "password": "12345678", "role": "agent", "departmentIds": [f.otherDepartment.rawValue]])
            #expect(foreignDepartment.status == .unprocessableContent)
            #expect(foreignDepartment.errorCode == "invalid_reference")
            #expect(foreignDepartment.errorField == "departmentIds")
            let foreignTag = try await app.request(.put, "/api/v1/contacts", token: token, json: [
                "externalId": "z", "name": "Z", "tagIds": [f.otherTag.rawValue]])
            #expect(foreignTag.errorCode == "invalid_reference")
            let patchForeign = try await app.request(.patch, "/api/v1/departments/\(f.otherDepartment)", token: token, json: ["name": "Hacked"])
            #expect(patchForeign.status == .notFound)
            let sendForeign = try await app.request(.post, "/api/v1/conversations/\(f.otherConversation)/messages", token: token,
                                                    json: ["clientMessageId": "x", "text": "hi"])
            #expect(sendForeign.status == .notFound)
        }
    }

    @Test func duplicatesConflict() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let dup = try await app.request(.post, "/api/v1/departments", token: token, json: ["name": "Vendas"])
            #expect(dup.status == .conflict)
            #expect(dup.errorCode == "already_exists")
            let email = try await app.request(.post, "/api/v1/agents", token: token, json: [
                "name": "Again", "email": "VENDAS@acme.test", "password": "12345678", "role": "agent"])
            #expect(email.errorCode == "already_exists")
            #expect(email.errorField == "email")
        }
    }

    @Test func oversizedBodiesAndBadQueries() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let token = try await app.login("admin@acme.test")
            let huge = "{\"name\": \"" + String(repeating: "x", count: 300 * 1024) + "\"}"
            let tooLarge = try await app.request(.post, "/api/v1/tags", token: token, body: huge)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(tooLarge.errorCode == "payload_too_large")
            for query in ["scope=everything", "status=open,sleeping", "order=random", "limit=0", "limit=201", "limit=x",
                          "tag=abc", "connection=-3", "cursor=garbage", "cursor=o.1.1", "unknown=1", "scope=all&scope=mine"] {
                let reply = try await app.request(.get, "/api/v1/conversations?\(query)", token: token)
                #expect(reply.status == .badRequest, "\(query)")
                #expect(reply.errorCode == "invalid_query", "\(query)")
            }
            let tooManyIDs = (1...201).map(String.init).joined(separator: ",")
            #expect(try await app.request(.get, "/api/v1/conversations?tag=\(tooManyIDs)", token: token).errorCode == "invalid_query")
            let longText = String(repeating: "y", count: 10_001)
            let tooLong = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/messages", token: token,
                                                json: ["clientMessageId": "long", "text": longText])
            #expect(tooLong.errorCode == "invalid_field")
            let empty = try await app.request(.post, "/api/v1/conversations/\(f.conversations[0])/messages", token: token,
                                              json: ["clientMessageId": "empty", "text": "  "])
            #expect(empty.errorCode == "invalid_field")
        }
    }

    @Test func unknownRoutesAndMethodsAnswerJSON() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let route = try await app.request(.get, "/api/v1/nothing-here", token: token)
            #expect(route.status == .notFound)
            #expect(route.errorCode == "not_found")
            let health = try await app.request(.get, "/health")
            #expect(health["status"] as? String == "ok")
        }
    }
}
