import Foundation
import GRDB
import InboxCore

/// Automations and the record of every run (bulk actions and fired automations).
extension SQLiteStore {
    public func createAutomation(_ draft: AutomationDraft, in workspace: WorkspaceID) async throws -> Automation {
        let (name, trigger, actions) = try validated(draft)
        let createdAt = now()
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            try self.requireReferences(of: actions, in: workspace, db)
            try db.execute(
                sql: "INSERT INTO automations (workspace_id, name, trigger_kind, trigger, actions, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [workspace.rawValue, name, trigger.kind.rawValue, try self.json(trigger), try self.json(actions), draft.active,
                            createdAt.milliseconds])
            return Automation(
                id: AutomationID(db.lastInsertedRowID), workspaceID: workspace, name: name, trigger: trigger, actions: actions,
                active: draft.active, createdAt: createdAt)
        }
    }

    public func updateAutomation(_ id: AutomationID, in workspace: WorkspaceID, with draft: AutomationDraft) async throws -> Automation {
        let (name, trigger, actions) = try validated(draft)
        return try await write { db in
            try self.requireRow("automations", id: id.rawValue, workspace: workspace, entity: "automation", db)
            try self.requireReferences(of: actions, in: workspace, db)
            try db.execute(
                sql: "UPDATE automations SET name = ?, trigger_kind = ?, trigger = ?, actions = ?, active = ? WHERE id = ?",
                arguments: [name, trigger.kind.rawValue, try self.json(trigger), try self.json(actions), draft.active, id.rawValue])
            return try self.loadAutomation(id, in: workspace, db)
        }
    }

    public func automation(_ id: AutomationID, in workspace: WorkspaceID) async throws -> Automation {
        try await read { db in try self.loadAutomation(id, in: workspace, db) }
    }

    public func automations(in workspace: WorkspaceID) async throws -> [Automation] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM automations WHERE workspace_id = ? ORDER BY name", arguments: [workspace.rawValue])
                .map { try self.automation(from: $0) }
        }
    }

    public func automations(triggeredBy kind: AutomationTriggerKind, in workspace: WorkspaceID) async throws -> [Automation] {
        try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM automations WHERE workspace_id = ? AND trigger_kind = ? AND active = 1 ORDER BY id",
                arguments: [workspace.rawValue, kind.rawValue]
            ).map { try self.automation(from: $0) }
        }
    }

    private func validated(_ draft: AutomationDraft) throws -> (String, AutomationTrigger, [AutomationAction]) {
        let name = try Validation.name(draft.name)
        let (trigger, actions) = try Automation.validate(trigger: draft.trigger, actions: draft.actions)
        return (name, trigger, actions)
    }

    /// Every tag, stage, department and agent the steps name exists in the workspace.
    private func requireReferences(of actions: [AutomationAction], in workspace: WorkspaceID, _ db: Database) throws {
        for (index, action) in actions.enumerated() {
            let field = "actions[\(index)]"
            if let tag = action.tagID { try requireExisting([tag], in: "tags", workspace: workspace, field: "\(field).tagId", db) }
            if let stage = action.stageID { try requireExisting([stage], in: "stages", workspace: workspace, field: "\(field).stageId", db) }
            if let department = action.departmentID {
                try requireExisting([department], in: "departments", workspace: workspace, field: "\(field).departmentId", db)
            }
            if let agent = action.agentID { try requireExisting([agent], in: "agents", workspace: workspace, field: "\(field).agentId", db) }
        }
    }

    private func loadAutomation(_ id: AutomationID, in workspace: WorkspaceID, _ db: Database) throws -> Automation {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM automations WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
        guard let row else { throw InboxError.notFound(entity: "automation") }
        return try automation(from: row)
    }

    private func automation(from row: Row) throws -> Automation {
        Automation(
            id: row.id("id"), workspaceID: row.id("workspace_id"), name: row["name"],
            trigger: try decoder.decode(AutomationTrigger.self, from: Data((row["trigger"] as String).utf8)),
            actions: try decoder.decode([AutomationAction].self, from: Data((row["actions"] as String).utf8)),
            active: row.bool("active"), createdAt: row.timestamp("created_at"))
    }

    private func json(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    // MARK: Runs

    public func beginRun(_ draft: RunDraft, in workspace: WorkspaceID) async throws -> (run: ActionRun, existing: Bool) {
        let key = try draft.idempotencyKey.map { try Validation.key($0, field: "idempotencyKey") }
        let createdAt = now()
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            if let key, let agent = draft.agentID, let existing = try Int64.fetchOne(
                db, sql: "SELECT id FROM runs WHERE workspace_id = ? AND agent_id = ? AND idempotency_key = ?",
                arguments: [workspace.rawValue, agent.rawValue, key]) {
                return (try self.loadRun(RunID(existing), in: workspace, withItems: false, db), true)
            }
            try db.execute(
                sql: """
                INSERT INTO runs (workspace_id, agent_id, idempotency_key, action, automation_id, trigger_kind, status, total, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?)
                """,
                arguments: [workspace.rawValue, draft.agentID?.rawValue, key, try self.json(draft.action), draft.action.automationID?.rawValue,
                            draft.trigger?.rawValue, draft.conversationIDs.count, createdAt.milliseconds])
            return (try self.loadRun(RunID(db.lastInsertedRowID), in: workspace, withItems: false, db), false)
        }
    }

    public func run(idempotencyKey: String, of agent: AgentID, in workspace: WorkspaceID) async throws -> ActionRun? {
        try await read { db in
            let id = try Int64.fetchOne(
                db, sql: "SELECT id FROM runs WHERE workspace_id = ? AND agent_id = ? AND idempotency_key = ?",
                arguments: [workspace.rawValue, agent.rawValue, idempotencyKey])
            return try id.map { try self.loadRun(RunID($0), in: workspace, withItems: false, db) }
        }
    }

    public func recordRunItems(_ items: [RunItem], of run: RunID, in workspace: WorkspaceID) async throws {
        guard !items.isEmpty else { return }
        try await write { db in
            try self.requireRow("runs", id: run.rawValue, workspace: workspace, entity: "run", db)
            var position = try Int.fetchOne(db, sql: "SELECT coalesce(max(position), -1) FROM run_items WHERE run_id = ?", arguments: [run.rawValue]) ?? -1
            for item in items {
                position += 1
                try db.execute(
                    sql: "INSERT INTO run_items (run_id, position, conversation_id, outcome, reason) VALUES (?, ?, ?, ?, ?)",
                    arguments: [run.rawValue, position, item.conversationID.rawValue, item.outcome.rawValue, item.reason])
            }
        }
    }

    public func finishRun(_ id: RunID, in workspace: WorkspaceID) async throws -> ActionRun {
        let finishedAt = now()
        return try await write { db in
            try db.execute(
                sql: "UPDATE runs SET status = 'done', finished_at = coalesce(finished_at, ?) WHERE id = ? AND workspace_id = ?",
                arguments: [finishedAt.milliseconds, id.rawValue, workspace.rawValue])
            return try self.loadRun(id, in: workspace, withItems: false, db)
        }
    }

    public func run(_ id: RunID, in workspace: WorkspaceID) async throws -> ActionRun {
        try await read { db in try self.loadRun(id, in: workspace, withItems: true, db) }
    }

    public func runs(of automation: AutomationID, in workspace: WorkspaceID, limit: Int) async throws -> [ActionRun] {
        try await read { db in
            try self.requireRow("automations", id: automation.rawValue, workspace: workspace, entity: "automation", db)
            return try Int64.fetchAll(
                db, sql: "SELECT id FROM runs WHERE automation_id = ? ORDER BY id DESC LIMIT ?", arguments: [automation.rawValue, max(1, limit)]
            ).map { try self.loadRun(RunID($0), in: workspace, withItems: false, db) }
        }
    }

    public func finishAbandonedRuns() async throws -> Int {
        let finishedAt = now()
        return try await write { db in
            try db.execute(sql: "UPDATE runs SET status = 'done', finished_at = ? WHERE status = 'running'", arguments: [finishedAt.milliseconds])
            return db.changesCount
        }
    }

    private func loadRun(_ id: RunID, in workspace: WorkspaceID, withItems: Bool, _ db: Database) throws -> ActionRun {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
        guard let row else { throw InboxError.notFound(entity: "run") }
        var counts: [RunOutcome: Int] = [:]
        for count in try Row.fetchAll(
            db, sql: "SELECT outcome, count(*) AS n FROM run_items WHERE run_id = ? GROUP BY outcome", arguments: [id.rawValue]) {
            if let outcome = RunOutcome(rawValue: count["outcome"]) { counts[outcome] = count["n"] }
        }
        let items = try withItems ? Row.fetchAll(
            db, sql: "SELECT conversation_id, outcome, reason FROM run_items WHERE run_id = ? ORDER BY position", arguments: [id.rawValue]
        ).map { RunItem(conversationID: $0.id("conversation_id"), outcome: RunOutcome(rawValue: $0["outcome"]) ?? .failed, reason: $0["reason"]) } : nil
        return ActionRun(
            id: id, workspaceID: workspace, agentID: row.optionalID("agent_id"), idempotencyKey: row["idempotency_key"],
            action: try decoder.decode(BulkAction.self, from: Data((row["action"] as String).utf8)),
            trigger: (row["trigger_kind"] as String?).flatMap(AutomationTriggerKind.init(rawValue:)),
            status: RunStatus(rawValue: row["status"]) ?? .done, total: row["total"], counts: counts, items: items,
            createdAt: row.timestamp("created_at"), finishedAt: (row["finished_at"] as Int64?).map(Timestamp.init(milliseconds:)))
    }
}
