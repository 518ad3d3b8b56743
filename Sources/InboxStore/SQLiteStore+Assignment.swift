import GRDB
import InboxCore

extension SQLiteStore {
    /// The compare-and-set: one conditional UPDATE decides, so among any number of racing
    /// callers exactly one sees its condition hold. Nothing reads first and writes after.
    public func assign(_ change: AssignmentChange, in workspace: WorkspaceID) async throws -> AssignmentOutcome {
        let departments = change.departmentIDs.map(IDList.normalized)
        return try await write { db in
            if let assignee = change.assigneeID {
                let active = try db.fetchOneCached(
                    Bool.self, sql: "SELECT active FROM agents WHERE id = ? AND workspace_id = ?",
                    arguments: [assignee.rawValue, workspace.rawValue])
                guard active == true else { throw InboxError.invalidReference(field: "assigneeId") }
            }
            if let departments {
                try self.requireExisting(departments, in: "departments", workspace: workspace, field: "departmentIds", db)
            }
            // Read only to log the before-state; the decision below is the conditional UPDATE alone.
            let before = try? self.loadConversation(change.conversationID, in: workspace, db)
            let condition = change.condition
            var sql = """
                UPDATE conversations SET assignee_id = ?, version = version + 1
                WHERE id = ? AND workspace_id = ?
                """
            var arguments: StatementArguments = [change.assigneeID?.rawValue, change.conversationID.rawValue, workspace.rawValue]
            if condition.requireOpen { sql += " AND status = 'open'" }
            if let version = condition.version {
                sql += " AND version = ?"
                arguments += [version]
            }
            switch condition.assignee {
            case .any: break
            case .unassigned: sql += " AND assignee_id IS NULL"
            case .agent(let id):
                sql += " AND assignee_id = ?"
                arguments += [id.rawValue]
            }
            if let capacity = change.assigneeCapacity, let assignee = change.assigneeID {
                sql += """
                     AND (SELECT COUNT(*) FROM conversations held WHERE held.workspace_id = ? AND held.assignee_id = ?
                          AND held.status = 'open' AND held.id != ?) < ?
                    """
                arguments += [workspace.rawValue, assignee.rawValue, change.conversationID.rawValue, capacity]
            }
            // A handful of variants (which conditions apply), each compiled once.
            try db.executeCached(sql: sql, arguments: arguments)
            guard db.changesCount == 1 else {
                let current = try self.loadConversation(change.conversationID, in: workspace, db)
                return .conflict(condition.violation(by: current) ?? .capacityReached, current: current)
            }
            let updated = try self.loadConversation(change.conversationID, in: workspace, db)
            var conversation = updated
            if let departments { conversation.departmentIDs = departments }
            try self.saveConversation(conversation, previous: updated, db)
            let entry = try self.appendChange(.assigned, conversation, previous: before, messageID: nil, db)
            return .changed(StoreResult(value: conversation, changes: [entry]))
        }
    }
}
