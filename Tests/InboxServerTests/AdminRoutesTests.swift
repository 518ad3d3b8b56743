import HTTPTypes
import InboxCore
import Testing

@Suite struct AdminRoutesTests {
    @Test func adminsManageTheDirectory() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let department = try await app.request(.post, "/api/v1/departments", token: token, json: ["name": "Financeiro"])
            #expect(department.status == .created)
            let departmentID = try #require(department.int("id"))
            let agent = try await app.request(.post, "/api/v1/agents", token: token, json: [
                "name": "Nova", "email": "nova@acme.test", "password": "senha-segura", "role": "agent",
                "departmentIds": [departmentID], "maxOpenConversations": 5,
            ])
            #expect(agent.status == .created)
            #expect(agent["departmentIds"] as? [Int] == [Int(departmentID)])
            #expect(agent["maxOpenConversations"] as? Int == 5)
            let agentID = try #require(agent.int("id"))
            _ = try await app.login("nova@acme.test", password: "senha-segura")
            let uncapped = try await app.request(.patch, "/api/v1/agents/\(agentID)", token: token, body: #"{"maxOpenConversations": null, "name": "Nova Silva"}"#)
            #expect(uncapped.status == .ok)
            #expect(uncapped["maxOpenConversations"] == nil)
            #expect(uncapped["name"] as? String == "Nova Silva")

            let tag = try await app.request(.post, "/api/v1/tags", token: token, json: ["name": "Urgente", "color": "#FF8800"])
            #expect(tag["color"] as? String == "#ff8800")
            let connection = try await app.request(.post, "/api/v1/connections", token: token, json: ["kind": "instagram", "name": "loja.oficial"])
            #expect(connection.status == .created)
            #expect((connection["secret"] as? String)?.count == 43)
            let pipeline = try await app.request(.post, "/api/v1/pipelines", token: token, json: ["name": "Pós-venda", "stages": ["Onboarding", "Ativo"]])
            #expect(pipeline.status == .created)
            let pipelineID = try #require(pipeline.int("id"))
            let withStage = try await app.request(.post, "/api/v1/pipelines/\(pipelineID)/stages", token: token, json: ["name": "Churn", "position": 0])
            let stages = try #require(withStage["stages"] as? [[String: Any]])
            #expect(stages.map { $0["name"] as? String } == ["Churn", "Onboarding", "Ativo"])
            let listed = try await app.request(.get, "/api/v1/pipelines", token: token)
            #expect(listed.items.count == 2)
        }
    }

    @Test func rolesAreEnforced() async throws {
        try await Harness.run { app in
            let agent = try await app.login("vendas@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            for (path, body) in [("/api/v1/agents", ["name": "x", "email": "x@acme.test", "password": "12345678", "role": "agent"]),
                                 ("/api/v1/departments", ["name": "X"]), ("/api/v1/connections", ["name": "X"]),
                                 ("/api/v1/pipelines", ["name": "X"]), ("/api/v1/tags", ["name": "X"])] {
                let reply = try await app.request(.post, path, token: agent, json: body)
                #expect(reply.status == .forbidden, "agent POST \(path)")
                #expect(reply.errorCode == "forbidden")
            }
            #expect(try await app.request(.post, "/api/v1/departments", token: supervisor, json: ["name": "X"]).status == .forbidden)
            #expect(try await app.request(.post, "/api/v1/tags", token: supervisor, json: ["name": "Sup"]).status == .created)
            #expect(try await app.request(.put, "/api/v1/contacts", token: agent, json: ["externalId": "e", "name": "n"]).status == .forbidden)
            // Everyone reads the directory: it names filters and transfer targets.
            #expect(try await app.request(.get, "/api/v1/agents", token: agent).items.count == 4)
            #expect(try await app.request(.get, "/api/v1/connections", token: agent).items.count == 2)
        }
    }

    @Test func adminsCannotLockThemselvesOut() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            let selfID = app.fixture.admin.id
            #expect(try await app.request(.delete, "/api/v1/agents/\(selfID)", token: token).status == .unprocessableContent)
            #expect(try await app.request(.patch, "/api/v1/agents/\(selfID)", token: token, json: ["role": "agent"]).status == .unprocessableContent)
        }
    }

    @Test func crmLeadUpdatesReachEveryConversationOfTheLead() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let token = try await app.login("admin@acme.test")
            let contact = try await app.request(.put, "/api/v1/contacts", token: token, json: [
                "externalId": "lead-3", "name": "Lead Três", "tagIds": [f.vip.rawValue], "departmentIds": [f.suporte.rawValue],
            ])
            #expect(contact.status == .ok)
            let deal = try await app.request(.put, "/api/v1/deals", token: token, json: [
                "externalId": "deal-3", "contactExternalId": "lead-3", "stageId": f.proposta.rawValue, "title": "Plano anual",
            ])
            #expect(deal.status == .ok)
            func ids(_ query: String) async throws -> [Int64] { try await app.request(.get, "/api/v1/conversations?\(query)", token: token).ids }
            #expect(try await ids("tag=\(f.vip)") == f.ids(3, 1))
            #expect(try await ids("stage=\(f.proposta)") == f.ids(3, 1))
            #expect(try await ids("department=\(f.suporte)") == f.ids(5, 3, 2))
            let thread = try await app.request(.get, "/api/v1/conversations/\(f.conversations[2])", token: token)
            #expect((thread["conversation"] as? [String: Any])?["contactName"] as? String == "Lead Três")
            // The Vendas agent no longer sees it: it moved to Suporte.
            let vendas = try await app.login("vendas@acme.test")
            #expect(try await app.request(.get, "/api/v1/conversations", token: vendas).ids == f.ids(4, 1))
        }
    }
}
