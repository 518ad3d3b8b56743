import Foundation
import HTTPTypes
import InboxCore
import Testing

/// Automations: admins define them, agents run manual ones on a selection, and inbound
/// messages fire the new-conversation and keyword ones, each run recorded.
@Suite struct AutomationRoutesTests {
    @Test func adminsDefineAutomationsAndOthersMayNot() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            let body: [String: Any] = [
                "name": "Encerrar frios", "trigger": ["kind": "manual"],
                "actions": [["type": "add_tag", "tagId": f.frio.rawValue], ["type": "finish"]],
            ]
            let created = try await app.request(.post, "/api/v1/automations", token: admin, json: body)
            #expect(created.status == .created)
            #expect(created["name"] as? String == "Encerrar frios")
            #expect(created["active"] as? Bool == true)
            #expect((created["trigger"] as? [String: Any])?["kind"] as? String == "manual")
            #expect((created["actions"] as? [[String: Any]])?.map { $0["type"] as? String } == ["add_tag", "finish"])
            let id = try #require(created.int("id"))

            for (token, who) in [(vendas, "agent"), (supervisor, "supervisor")] {
                let refused = try await app.request(.post, "/api/v1/automations", token: token, json: body)
                #expect(refused.status == .forbidden, "\(who)")
                #expect(refused.errorCode == "forbidden")
                #expect(try await app.request(.put, "/api/v1/automations/\(id)", token: token, json: body).status == .forbidden, "\(who)")
            }
            #expect(try await app.request(.post, "/api/v1/automations", json: body).status == .unauthorized)
            // Everyone lists them (agents pick manual ones to run); only one was created.
            #expect(try await app.request(.get, "/api/v1/automations", token: vendas).ids == [id])
            #expect(try await app.request(.get, "/api/v1/automations/\(id)", token: vendas).status == .ok)
            #expect(try await app.request(.get, "/api/v1/automations/\(id)", token: try await app.loginOther()).status == .notFound)
            // Their runs are for supervisors and admins.
            #expect(try await app.request(.get, "/api/v1/automations/\(id)/runs", token: vendas).status == .forbidden)
            #expect(try await app.request(.get, "/api/v1/automations/\(id)/runs", token: supervisor).items.isEmpty)
        }
    }

    @Test func invalidAutomationsNameTheField() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let manual: [String: Any] = ["kind": "manual"]
            let finish: [String: Any] = ["type": "finish"]
            let cases: [(String, [String: Any], String, String)] = [
                ("no name", ["trigger": manual, "actions": [finish]], "missing_field", "name"),
                ("blank name", ["name": "  ", "trigger": manual, "actions": [finish]], "invalid_field", "name"),
                ("unknown trigger", ["name": "x", "trigger": ["kind": "hourly"], "actions": [finish]], "invalid_field", "trigger.kind"),
                ("keyword without keywords", ["name": "x", "trigger": ["kind": "keyword"], "actions": [finish]], "invalid_field", "trigger.keywords"),
                ("blank keywords", ["name": "x", "trigger": ["kind": "keyword", "keywords": ["  ", "?"]], "actions": [finish]],
                 "invalid_field", "trigger.keywords"),
                ("manual with keywords", ["name": "x", "trigger": ["kind": "manual", "keywords": ["oi"]], "actions": [finish]],
                 "invalid_field", "trigger.keywords"),
                ("no steps", ["name": "x", "trigger": manual, "actions": [[String: Any]]()], "invalid_field", "actions"),
                ("too many steps", ["name": "x", "trigger": manual, "actions": Array(repeating: finish, count: 21)], "invalid_field", "actions"),
                ("message without text", ["name": "x", "trigger": manual, "actions": [finish, ["type": "send_message"]]],
                 "invalid_field", "actions[1].text"),
                ("unknown variable", ["name": "x", "trigger": manual, "actions": [["type": "send_message", "text": "Oi {{contact.cpf}}"]]],
                 "invalid_field", "actions[0].text"),
                ("unclosed variable", ["name": "x", "trigger": manual, "actions": [["type": "send_message", "text": "Oi {{contact.name"]]],
                 "invalid_field", "actions[0].text"),
                ("tag step without tag", ["name": "x", "trigger": manual, "actions": [["type": "add_tag"]]], "invalid_field", "actions[0].tagId"),
                ("finish with a tag", ["name": "x", "trigger": manual, "actions": [["type": "finish", "tagId": f.vip.rawValue]]],
                 "invalid_field", "actions[0].tagId"),
                ("transfer nowhere", ["name": "x", "trigger": manual, "actions": [["type": "transfer"]]], "invalid_field", "actions[0]"),
                ("unknown step", ["name": "x", "trigger": manual, "actions": [["type": "wait"]]], "invalid_field", "actions[0].type"),
                ("another workspace's tag", ["name": "x", "trigger": manual, "actions": [["type": "add_tag", "tagId": f.otherTag.rawValue]]],
                 "invalid_reference", "actions[0].tagId"),
                ("unknown stage", ["name": "x", "trigger": manual, "actions": [finish, ["type": "move_stage", "stageId": 987_654]]],
                 "invalid_reference", "actions[1].stageId"),
                ("another workspace's department",
                 ["name": "x", "trigger": manual, "actions": [["type": "transfer", "departmentId": f.otherDepartment.rawValue]]],
                 "invalid_reference", "actions[0].departmentId"),
                ("wrong type", ["name": "x", "trigger": manual, "actions": [["type": "add_tag", "tagId": "VIP"]]], "invalid_field", "actions[0].tagId"),
                ("unknown field", ["name": "x", "trigger": manual, "actions": [["type": "finish", "delay": 5]]], "unknown_field", "actions[0].delay"),
            ]
            for (name, body, code, field) in cases {
                let reply = try await app.request(.post, "/api/v1/automations", token: admin, json: body)
                #expect(reply.status == .unprocessableContent, "\(name)")
                #expect(reply.errorCode == code, "\(name): \(String(describing: reply.json))")
                #expect(reply.errorField == field, "\(name): \(String(describing: reply.json))")
            }
            #expect(try await app.request(.get, "/api/v1/automations", token: admin).items.isEmpty, "none was created")
        }
    }

    @Test func putReplacesTheWholeAutomation() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let created = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Triagem", "trigger": ["kind": "manual"], "active": false,
                "actions": [["type": "add_tag", "tagId": f.vip.rawValue], ["type": "move_stage", "stageId": f.proposta.rawValue]],
            ])
            let id = try #require(created.int("id"))
            #expect(created["active"] as? Bool == false)
            let replaced = try await app.request(.put, "/api/v1/automations/\(id)", token: admin, json: [
                "name": "Triagem por palavra", "trigger": ["kind": "keyword", "keywords": ["Orçamento", "ORCAMENTO", "boleto"]],
                "actions": [["type": "transfer", "departmentId": f.vendas.rawValue]],
            ])
            #expect(replaced.status == .ok)
            let stored = try await app.request(.get, "/api/v1/automations/\(id)", token: admin)
            #expect(stored["name"] as? String == "Triagem por palavra")
            #expect(stored["active"] as? Bool == true, "active omitted is active")
            let trigger = try #require(stored["trigger"] as? [String: Any])
            #expect(trigger["kind"] as? String == "keyword")
            #expect(trigger["keywords"] as? [String] == ["boleto", "orcamento"], "folded, de-duplicated")
            let actions = try #require(stored["actions"] as? [[String: Any]])
            #expect(actions.count == 1, "the old steps are gone")
            #expect(actions.first?["type"] as? String == "transfer")
            #expect(actions.first?["departmentId"] as? Int == Int(f.vendas.rawValue))
            #expect(actions.first?["tagId"] == nil)

            let invalid = try await app.request(.put, "/api/v1/automations/\(id)", token: admin, json: [
                "name": "Quebrada", "trigger": ["kind": "manual"], "actions": [["type": "send_message"]],
            ])
            #expect(invalid.errorField == "actions[0].text")
            #expect(try await app.request(.get, "/api/v1/automations/\(id)", token: admin)["name"] as? String == "Triagem por palavra",
                    "a refused replacement changes nothing")
            let missing = try await app.request(.put, "/api/v1/automations/987654", token: admin, json: [
                "name": "x", "trigger": ["kind": "manual"], "actions": [["type": "finish"]],
            ])
            #expect(missing.status == .notFound)
        }
    }

    @Test func aManualAutomationRunsEveryStepOnASelection() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            let c1 = f.conversations[0]
            let created = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Passar para o suporte", "trigger": ["kind": "manual"],
                "actions": [
                    ["type": "send_message", "text": "Olá {{contact.first_name}}, aqui é {{agent.name}}"],
                    ["type": "add_tag", "tagId": f.frio.rawValue],
                    ["type": "remove_tag", "tagId": f.vip.rawValue],
                    ["type": "move_stage", "stageId": f.novo.rawValue],
                    ["type": "transfer", "departmentId": f.suporte.rawValue],
                    ["type": "finish"],
                ],
            ])
            #expect(created.status == .created)
            let automationID = try #require(created.int("id"))
            #expect(try await app.request(.post, "/api/v1/conversations/\(c1)/claim", token: vendas).status == .ok)

            // An agent runs it on what they hold.
            let started = try await app.request(.post, "/api/v1/bulk", token: vendas, json: [
                "idempotencyKey": "auto-1", "action": ["type": "automation", "automationId": automationID], "conversationIds": f.ids(1),
            ])
            #expect(started.status == .accepted)
            let runID = try #require((started["run"] as? [String: Any])?["id"] as? Int)
            let run = try await app.awaitRun(runID, token: vendas)
            #expect(run.runOutcomes[c1.rawValue]?.outcome == "done", "\(String(describing: run.json))")

            let thread = try await app.request(.get, "/api/v1/conversations/\(c1)", token: admin)
            let conversation = try #require(thread.conversationJSON)
            #expect(conversation["tagIds"] as? [Int] == [Int(f.frio.rawValue)])
            #expect(conversation["stageIds"] as? [Int] == [Int(f.novo.rawValue)])
            #expect(conversation["departmentIds"] as? [Int] == [Int(f.suporte.rawValue)])
            #expect(conversation["assigneeId"] == nil, "to a department alone: waiting in its queue")
            #expect(conversation["status"] as? String == "finished")
            let messages = try #require(thread["messages"] as? [[String: Any]])
            let automated = messages.filter { $0["automated"] as? Bool == true }
            #expect(automated.count == 1)
            #expect(automated.first?["text"] as? String == "Olá Lead, aqui é vendas")
            #expect(automated.first?["direction"] as? String == "outbound")
            #expect(automated.first?["authorName"] as? String == "Passar para o suporte")
            #expect(automated.first?["authorAgentId"] == nil)
            // The Vendas agent no longer sees it: it is Suporte's now.
            #expect(try await app.request(.get, "/api/v1/conversations/\(c1)", token: vendas).status == .notFound)

            let runs = try await app.request(.get, "/api/v1/automations/\(automationID)/runs", token: admin)
            #expect(runs.ids == [Int64(runID)])
            #expect(runs.items.first?["trigger"] as? String == "manual")
            #expect(runs.items.first?["agentId"] as? Int == Int(f.vendasAgent.id.rawValue))
            #expect(runs.items.first?["status"] as? String == "done")
        }
    }

    @Test func inboundMessagesFireNewConversationAndKeywordAutomations() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            func create(_ body: [String: Any]) async throws -> Int {
                let reply = try await app.request(.post, "/api/v1/automations", token: admin, json: body)
                #expect(reply.status == .created, "\(String(describing: reply.json))")
                return try #require(reply.int("id")).asInt
            }
            let welcome = try await create([
                "name": "Boas-vindas", "trigger": ["kind": "new_conversation"],
                "actions": [["type": "send_message", "text": "Bem-vindo, {{contact.first_name}}!"]],
            ])
            let prices = try await create([
                "name": "Preços", "trigger": ["kind": "keyword", "keywords": ["preço"]],
                "actions": [["type": "send_message", "text": "Nossa tabela segue em anexo"]],
            ])
            // Created after "Preços", so it runs after it on the same message: once its run is
            // recorded, every automation that message fired has run.
            let marker = try await create([
                "name": "Marcador", "trigger": ["kind": "keyword", "keywords": ["precoce", "preço"]],
                "actions": [["type": "add_tag", "tagId": f.vip.rawValue]],
            ])
            func inbound(_ id: String, _ text: String) async throws -> Reply {
                let reply = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret, json: [
                    "messageId": id, "from": ["handle": "+55 31 95555-0000", "name": "Maria Souza"], "text": text,
                ])
                #expect(reply.status == .created)
                return reply
            }

            // A customer starts a conversation: the welcome fires.
            let first = try await inbound("m-1", "Oi, tudo bem?")
            let conversation = ConversationID(Int64(try #require(first.conversationJSON?["id"] as? Int)))
            let welcomed = try await app.awaitMessage(in: conversation, token: admin) { $0["text"] as? String == "Bem-vindo, Maria!" }
            #expect(welcomed["automated"] as? Bool == true)
            #expect(welcomed["authorName"] as? String == "Boas-vindas")
            #expect(try await app.awaitRuns(of: welcome, count: 1, token: admin).first?["trigger"] as? String == "new_conversation")

            // The same customer again: not a new conversation. The keyword matches regardless of case and accents.
            _ = try await inbound("m-2", "Qual o PRECO?")
            let priced = try await app.awaitMessage(in: conversation, token: admin) { $0["text"] as? String == "Nossa tabela segue em anexo" }
            #expect(priced["automated"] as? Bool == true)
            #expect(try await app.awaitRuns(of: prices, count: 1, token: admin).first?["trigger"] as? String == "keyword")
            _ = try await app.awaitRuns(of: marker, count: 1, token: admin)
            #expect(try await app.request(.get, "/api/v1/automations/\(welcome)/runs", token: admin).items.count == 1,
                    "the welcome fired only for the message that created the conversation")

            // A word that merely starts like the keyword does not match.
            _ = try await inbound("m-3", "Achei precoce demais")
            _ = try await app.awaitRuns(of: marker, count: 2, token: admin)
            #expect(try await app.request(.get, "/api/v1/automations/\(prices)/runs", token: admin).items.count == 1, "precoce is not preço")
            let texts = try await app.fetchMessages(conversation, token: admin).compactMap { $0["text"] as? String }
            #expect(texts.filter { $0 == "Bem-vindo, Maria!" }.count == 1)
            #expect(texts.filter { $0 == "Nossa tabela segue em anexo" }.count == 1)

            // The last business message is an automation's: listed under "automations" until the holder replies.
            func automations() async throws -> [Int64] {
                try await app.request(.get, "/api/v1/conversations?status=automations", token: admin).ids
            }
            #expect(try await automations().contains(conversation.rawValue))
            #expect(try await app.request(.post, "/api/v1/conversations/\(conversation)/claim", token: vendas).status == .ok)
            let reply = try await app.request(.post, "/api/v1/conversations/\(conversation)/messages", token: vendas,
                                              json: ["clientMessageId": "human-1", "text": "Oi Maria, sou a Ana"])
            #expect(reply.status == .created)
            #expect(reply.conversationJSON?["automated"] as? Bool == false)
            #expect(try await !automations().contains(conversation.rawValue))
            #expect(try await automations() == f.ids(3), "the fixture's automated conversation stays")
        }
    }
}

private extension Int64 {
    var asInt: Int { Int(self) }
}

struct AwaitTimedOut: Error {}

extension Harness {
    /// The first message of the conversation `matching` holds for, polling every 50 ms for at most about 5 s.
    func awaitMessage(in id: ConversationID, token: String, matching: ([String: Any]) -> Bool) async throws -> [String: Any] {
        for _ in 0..<100 {
            if let message = try await fetchMessages(id, token: token).first(where: matching) { return message }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no such message in conversation \(id) after about 5 s")
        throw AwaitTimedOut()
    }

    /// The automation's runs (newest first) once at least `count` are recorded and all are done,
    /// polling every 50 ms for at most about 5 s.
    func awaitRuns(of automation: Int, count: Int, token: String) async throws -> [[String: Any]] {
        var last: [[String: Any]] = []
        for _ in 0..<100 {
            last = try await request(.get, "/api/v1/automations/\(automation)/runs", token: token).items
            if last.count >= count, last.allSatisfy({ $0["status"] as? String == "done" }) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("automation \(automation) has \(last.count) runs after about 5 s, expected \(count)")
        throw AwaitTimedOut()
    }
}
