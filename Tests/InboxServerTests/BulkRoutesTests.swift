import Foundation
import HTTPTypes
import InboxCore
import Testing

/// Bulk runs over HTTP: `POST /bulk` starts one, `GET /runs/:id` reports every conversation's
/// outcome; the same rules as single actions apply to each conversation.
@Suite struct BulkRoutesTests {
    @Test func bulkFinishReportsEveryConversationsOutcome() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let supervisor = try await app.login("supervisor@acme.test")
            let ids = f.ids(1, 2, 3, 5) + [f.otherConversation.rawValue, 999_999] + f.ids(1)
            let started = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: [
                "idempotencyKey": "finish-1", "action": ["type": "finish"], "conversationIds": ids,
            ])
            #expect(started.status == .accepted)
            #expect(started["duplicate"] as? Bool == false)
            let run = try #require(started["run"] as? [String: Any])
            #expect(run["total"] as? Int == 6, "repeated ids count once")
            #expect(run["agentId"] as? Int == Int(f.supervisor.id.rawValue))

            let done = try await app.awaitRun(try #require(run["id"] as? Int), token: supervisor)
            let outcomes = done.runOutcomes
            #expect(outcomes.count == 6)
            for c in f.ids(1, 2, 3) { #expect(outcomes[c]?.outcome == "done", "conversation \(c)") }
            #expect(outcomes[f.conversations[4].rawValue]?.outcome == "skipped")
            #expect(outcomes[f.conversations[4].rawValue]?.reason == "not_open")
            #expect(outcomes[f.otherConversation.rawValue]?.outcome == "not_found")
            #expect(outcomes[999_999]?.outcome == "not_found")
            let counts = try #require(done["counts"] as? [String: Int])
            #expect(counts["done"] == 3 && counts["skipped"] == 1 && counts["not_found"] == 2)
            #expect(done["finishedAt"] != nil)

            #expect(try await app.request(.get, "/api/v1/conversations?status=finished", token: supervisor).ids.sorted() == f.ids(1, 2, 3, 5))
            #expect(try await app.request(.get, "/api/v1/conversations?status=open", token: supervisor).ids == f.ids(4))
            let outsider = try await app.loginOther()
            #expect(try await app.fetchConversation(f.otherConversation, token: outsider)?["status"] as? String == "open")
        }
    }

    @Test func agentsBulkOnlyWhatTheyMayDoAndSeeOnlyTheirOwnRuns() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let vendas = try await app.login("vendas@acme.test")
            let suporte = try await app.login("suporte@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            #expect(try await app.request(.post, "/api/v1/conversations/\(f.conversations[2])/claim", token: suporte).status == .ok)

            let started = try await app.request(.post, "/api/v1/bulk", token: vendas, json: [
                "idempotencyKey": "mine", "action": ["type": "finish"], "conversationIds": f.ids(1, 3, 4, 2),
            ])
            #expect(started.status == .accepted)
            let runID = try #require((started["run"] as? [String: Any])?["id"] as? Int)
            let outcomes = try await app.awaitRun(runID, token: vendas).runOutcomes
            #expect(outcomes[f.conversations[0].rawValue]?.outcome == "done", "unassigned, in their department")
            #expect(outcomes[f.conversations[2].rawValue]?.outcome == "forbidden", "a colleague's")
            #expect(outcomes[f.conversations[3].rawValue]?.outcome == "done", "their own")
            #expect(outcomes[f.conversations[1].rawValue]?.outcome == "not_found", "in a department they are not in")
            #expect(try await app.fetchConversation(f.conversations[2], token: supervisor)?["status"] as? String == "open")
            #expect(try await app.fetchConversation(f.conversations[1], token: supervisor)?["status"] as? String == "open")

            // Agents see their own runs only; supervisors see every run of the workspace.
            let supervisors = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: [
                "idempotencyKey": "sup", "action": ["type": "finish"], "conversationIds": f.ids(5),
            ])
            let supervisorsRun = try #require((supervisors["run"] as? [String: Any])?["id"] as? Int)
            _ = try await app.awaitRun(supervisorsRun, token: supervisor)
            let hidden = try await app.request(.get, "/api/v1/runs/\(supervisorsRun)", token: vendas)
            #expect(hidden.status == .notFound)
            #expect(hidden.errorCode == "not_found")
            #expect(try await app.request(.get, "/api/v1/runs/\(runID)", token: suporte).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/runs/\(runID)", token: supervisor).status == .ok)
            #expect(try await app.request(.get, "/api/v1/runs/\(runID)", token: try await app.loginOther()).status == .notFound)
            #expect(try await app.request(.get, "/api/v1/runs/\(runID)").status == .unauthorized)
        }
    }

    @Test func bulkTransferByFilterAndIdempotentResubmission() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let supervisor = try await app.login("supervisor@acme.test")
            let admin = try await app.login("admin@acme.test")
            let body: [String: Any] = [
                "idempotencyKey": "to-suporte", "action": ["type": "transfer", "departmentId": f.suporte.rawValue],
                "filter": ["scope": "unassigned", "statuses": ["open"]],
            ]
            let started = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: body)
            #expect(started.status == .accepted, "\(String(describing: started.json))")
            let run = try #require(started["run"] as? [String: Any])
            let runID = try #require(run["id"] as? Int)
            #expect(run["total"] as? Int == 2, "conversations 1 and 3 are open and unassigned")
            let outcomes = try await app.awaitRun(runID, token: supervisor).runOutcomes
            #expect(Set(outcomes.keys) == Set(f.ids(1, 3)))
            #expect(outcomes.values.allSatisfy { $0.outcome == "done" })
            for id in [f.conversations[0], f.conversations[2]] {
                let conversation = try #require(try await app.fetchConversation(id, token: supervisor))
                #expect(conversation["departmentIds"] as? [Int] == [Int(f.suporte.rawValue)], "conversation \(id)")
                #expect(conversation["assigneeId"] == nil, "conversation \(id)")
            }
            // Untouched: the held ones and the finished one.
            #expect(try await app.fetchConversation(f.conversations[3], token: supervisor)?["departmentIds"] as? [Int] == [Int(f.vendas.rawValue)])
            #expect(try await app.fetchConversation(f.conversations[4], token: supervisor)?["status"] as? String == "finished")

            // The same key again (even with another action) returns the first run and starts nothing.
            var again = body
            again["action"] = ["type": "finish"]
            let duplicate = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: again)
            #expect(duplicate.status == .ok)
            #expect(duplicate["duplicate"] as? Bool == true)
            let first = try #require(duplicate["run"] as? [String: Any])
            #expect(first["id"] as? Int == runID)
            #expect((first["action"] as? [String: Any])?["type"] as? String == "transfer")
            #expect(first["status"] as? String == "done")
            // Keys are per agent: the admin's run with the same key is a new one, the very next
            // run recorded, so the resubmission recorded none.
            let admins = try await app.request(.post, "/api/v1/bulk", token: admin, json: [
                "idempotencyKey": "to-suporte", "action": ["type": "finish"], "conversationIds": f.ids(5),
            ])
            #expect(admins.status == .accepted)
            #expect((admins["run"] as? [String: Any])?["id"] as? Int == runID + 1)
            #expect(try await app.fetchConversation(f.conversations[0], token: supervisor)?["status"] as? String == "open",
                    "the resubmitted finish did not run")
            let rerun = try await app.request(.get, "/api/v1/runs/\(runID)", token: supervisor)
            #expect(rerun.runOutcomes.count == 2)
        }
    }

    @Test func invalidBulkRequestsAreRefused() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let admin = try await app.login("admin@acme.test")
            let supervisor = try await app.login("supervisor@acme.test")
            let triggered = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Boas-vindas", "trigger": ["kind": "new_conversation"], "actions": [["type": "add_tag", "tagId": f.vip.rawValue]],
            ])
            let triggeredID = try #require(triggered.int("id"))
            let inactive = try await app.request(.post, "/api/v1/automations", token: admin, json: [
                "name": "Desligada", "trigger": ["kind": "manual"], "actions": [["type": "finish"]], "active": false,
            ])
            let inactiveID = try #require(inactive.int("id"))
            let finish: [String: Any] = ["type": "finish"]
            let tooMany = Array(1...5_001)
            let cases: [(String, [String: Any], String, String?)] = [
                ("ids and filter", ["action": finish, "conversationIds": f.ids(1), "filter": ["scope": "all"]], "invalid_field", "conversationIds"),
                ("neither", ["action": finish], "invalid_field", "conversationIds"),
                ("no ids", ["action": finish, "conversationIds": [Int]()], "invalid_field", "conversationIds"),
                ("too many ids", ["action": finish, "conversationIds": tooMany], "invalid_field", "conversationIds"),
                ("finish with agentId", ["action": ["type": "finish", "agentId": f.vendasAgent.id.rawValue], "conversationIds": f.ids(1)],
                 "invalid_field", "action"),
                ("transfer to nobody", ["action": ["type": "transfer"], "conversationIds": f.ids(1)], "invalid_field", "action"),
                ("transfer to an unknown agent", ["action": ["type": "transfer", "agentId": 987_654], "conversationIds": f.ids(1)],
                 "invalid_reference", "action.agentId"),
                ("transfer to another workspace's department",
                 ["action": ["type": "transfer", "departmentId": f.otherDepartment.rawValue], "conversationIds": f.ids(1)],
                 "invalid_reference", "action.departmentId"),
                ("automation without id", ["action": ["type": "automation"], "conversationIds": f.ids(1)], "invalid_field", "action.automationId"),
                ("unknown automation", ["action": ["type": "automation", "automationId": 987_654], "conversationIds": f.ids(1)],
                 "invalid_reference", "action.automationId"),
                ("triggered automation", ["action": ["type": "automation", "automationId": triggeredID], "conversationIds": f.ids(1)],
                 "invalid_field", "action.automationId"),
                ("inactive automation", ["action": ["type": "automation", "automationId": inactiveID], "conversationIds": f.ids(1)],
                 "invalid_field", "action.automationId"),
                ("unknown action", ["action": ["type": "delete"], "conversationIds": f.ids(1)], "invalid_field", "action.type"),
                ("unknown field", ["action": finish, "conversationIds": f.ids(1), "dryRun": true], "unknown_field", "dryRun"),
                ("unknown status in filter", ["action": finish, "filter": ["statuses": ["lost"]]], "invalid_field", nil),
            ]
            for (name, body, code, field) in cases {
                var json = body
                json["idempotencyKey"] = "bad-\(name)"
                let reply = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: json)
                #expect(reply.status == .unprocessableContent, "\(name)")
                #expect(reply.errorCode == code, "\(name): \(String(describing: reply.json))")
                if let field { #expect(reply.errorField == field, "\(name)") }
            }
            let noKey = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: ["action": finish, "conversationIds": f.ids(1)])
            #expect(noKey.errorCode == "missing_field")
            #expect(noKey.errorField == "idempotencyKey")
            let malformed = try await app.request(.post, "/api/v1/bulk", token: supervisor, body: #"{"action": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorCode == "malformed_json")
            #expect(try await app.request(.post, "/api/v1/bulk", json: ["idempotencyKey": "x", "action": finish, "conversationIds": f.ids(1)])
                .status == .unauthorized)
            // Nothing ran.
            #expect(try await app.request(.get, "/api/v1/conversations?status=open", token: supervisor).ids == f.ids(4, 3, 2, 1))
            #expect(try await app.request(.get, "/api/v1/runs/1", token: supervisor).status == .notFound)
        }
    }

    /// A bulk transfer to a department over many unassigned conversations while an agent claims
    /// some of them. The run applies each transfer as the supervisor, whose rules let it move a
    /// conversation someone holds, so a claim that landed before the run reached its
    /// conversation is overridden, and the run says so (`done`). Whatever the interleaving:
    /// every conversation has an outcome; a `skipped` one is the agent's, untouched (the claim
    /// won between the run's read and its write); a `done` one is in the department, waiting
    /// unassigned unless the agent claimed it after; and a claim answered 200 is never taken
    /// away without the run reporting that transfer.
    @Test func bulkTransferRacingClaimsAccountsForEveryConversation() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let supervisor = try await app.login("supervisor@acme.test")
            let vendas = try await app.login("vendas@acme.test")
            var created: [ConversationID] = []
            for n in 0..<40 {
                let reply = try await app.request(.post, "/api/v1/connections/\(f.whatsapp)/inbound", token: f.whatsappSecret, json: [
                    "messageId": "bulk-race-\(n)", "from": ["handle": "+55 41 7000-\(1000 + n)", "name": "Cliente \(n)"], "text": "Olá",
                ])
                #expect(reply.status == .created)
                created.append(ConversationID(Int64(try #require(reply.conversationJSON?["id"] as? Int))))
            }
            let claimed = created.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)

            // The run starts, then the agent claims while it goes, from the end of its list backwards.
            let started = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: [
                "idempotencyKey": "race", "action": ["type": "transfer", "departmentId": f.vendas.rawValue],
                "conversationIds": created.map(\.rawValue),
            ])
            #expect(started.status == .accepted)
            let runID = (started["run"] as? [String: Any])?["id"] as? Int
            let claimStatuses = try await withThrowingTaskGroup(of: (ConversationID, HTTPResponse.Status).self) { group in
                for id in claimed.reversed() {
                    group.addTask { (id, try await app.request(.post, "/api/v1/conversations/\(id)/claim", token: vendas).status) }
                }
                var statuses: [ConversationID: HTTPResponse.Status] = [:]
                for try await (id, status) in group { statuses[id] = status }
                return statuses
            }
            let outcomes = try await app.awaitRun(try #require(runID), token: supervisor).runOutcomes
            #expect(outcomes.count == created.count)

            let vendasID = Int(f.vendasAgent.id.rawValue), vendasDepartment = Int(f.vendas.rawValue)
            for id in created {
                let item = try #require(outcomes[id.rawValue], "conversation \(id) has an outcome")
                let conversation = try #require(try await app.fetchConversation(id, token: supervisor))
                let assignee = conversation["assigneeId"] as? Int
                let departments = conversation["departmentIds"] as? [Int]
                let claimWon = claimStatuses[id] == .ok
                if claimed.contains(id) {
                    // A claim wins, or loses to a change (and then holds nothing); it never fails otherwise.
                    #expect([.ok, .conflict].contains(claimStatuses[id]), "claim of \(id): \(String(describing: claimStatuses[id]))")
                    if !claimWon { #expect(assignee != vendasID, "conversation \(id)") }
                } else {
                    #expect(item.outcome == "done", "conversation \(id), which nobody claimed")
                }
                switch item.outcome {
                case "done":
                    // Transferred: in Vendas, waiting unassigned, unless the agent claimed it after.
                    #expect(departments == [vendasDepartment], "conversation \(id)")
                    #expect(assignee == nil || (assignee == vendasID && claimWon), "conversation \(id)")
                case "skipped":
                    // Left alone: the agent's claim won the race for it.
                    #expect(item.reason == "assignee_changed", "conversation \(id)")
                    #expect(claimWon && assignee == vendasID, "conversation \(id): a skipped conversation is the claimer's")
                    #expect(departments == [], "conversation \(id) was not moved")
                default:
                    Issue.record("conversation \(id): unexpected outcome \(item.outcome) \(item.reason ?? "")")
                }
                // No lost claim: the agent still holds it, or the run reports having transferred it.
                if claimWon, assignee != vendasID {
                    #expect(item.outcome == "done" && assignee == nil, "conversation \(id): claim lost without the run reporting it")
                }
            }
        }
    }

    /// A filter selects every matching conversation, across as many pages as it takes.
    @Test func bulkByFilterSelectsBeyondOnePage() async throws {
        try await Harness.run { app in
            let f = app.fixture
            let supervisor = try await app.login("supervisor@acme.test")
            for n in 0..<205 {
                let reply = try await app.request(.post, "/api/v1/connections/\(f.instagram)/inbound", token: "ig", json: [
                    "messageId": "page-\(n)", "from": ["handle": "@cliente.\(n)"], "text": "Oi",
                ])
                #expect(reply.status == .created)
            }
            let started = try await app.request(.post, "/api/v1/bulk", token: supervisor, json: [
                "idempotencyKey": "all-unassigned", "action": ["type": "finish"], "filter": ["scope": "unassigned", "statuses": ["open"]],
            ])
            #expect(started.status == .accepted, "\(String(describing: started.json))")
            let run = try #require(started["run"] as? [String: Any])
            #expect(run["total"] as? Int == 207, "the 205 new ones and conversations 1 and 3")
            let done = try await app.awaitRun(try #require(run["id"] as? Int), token: supervisor)
            #expect((done["counts"] as? [String: Int]) == ["done": 207])
            #expect(Set(done.runOutcomes.keys).count == 207)
            #expect(try await app.request(.get, "/api/v1/conversations?scope=unassigned&status=open", token: supervisor).int("total") == 0)
            #expect(try await app.request(.get, "/api/v1/conversations?status=open", token: supervisor).ids == f.ids(4, 2))
        }
    }
}

extension Reply {
    /// A run's items by conversation id.
    var runOutcomes: [Int64: (outcome: String, reason: String?)] {
        var outcomes: [Int64: (outcome: String, reason: String?)] = [:]
        for item in items {
            guard let id = (item["conversationId"] as? NSNumber)?.int64Value, let outcome = item["outcome"] as? String else { continue }
            outcomes[id] = (outcome, item["reason"] as? String)
        }
        return outcomes
    }
}

struct RunDidNotFinish: Error {}

extension Harness {
    /// The run once its status is `done`, polling every 50 ms for at most about 5 s.
    func awaitRun(_ id: Int, token: String) async throws -> Reply {
        var last: Reply?
        for _ in 0..<100 {
            let reply = try await request(.get, "/api/v1/runs/\(id)", token: token)
            if reply["status"] as? String == "done" { return reply }
            last = reply
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("run \(id) not done after about 5 s: \(String(describing: last?.json))")
        throw RunDidNotFinish()
    }
}
