import GRDB
import InboxCore

extension SQLiteStore {
    private static let agentSelect = """
        SELECT a.*, w.slug AS workspace_slug,
            (SELECT group_concat(department_id) FROM
                (SELECT department_id FROM agent_departments WHERE agent_id = a.id ORDER BY department_id)) AS department_ids
        FROM agents a JOIN workspaces w ON w.id = a.workspace_id
        """

    public func createAgent(_ draft: AgentDraft, in workspace: WorkspaceID) async throws -> Agent {
        let name = try Validation.name(draft.name)
        let email = try Validation.email(draft.email)
        try Self.validateCapacity(draft.maxOpenConversations)
        let departments = IDList.normalized(draft.departmentIDs)
        let createdAt = now()
        return try await write(uniqueField: "email") { db in
            try self.requireWorkspace(workspace, db)
            try self.requireExisting(departments, in: "departments", workspace: workspace, field: "departmentIds", db)
            try db.execute(
                sql: """
                INSERT INTO agents (workspace_id, name, email, password_hash, role, max_open_conversations, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                arguments: [workspace.rawValue, name, email, draft.passwordHash, draft.role.rawValue, draft.maxOpenConversations, createdAt.milliseconds])
            let id = AgentID(db.lastInsertedRowID)
            try self.setDepartments(departments, of: id, db)
            return try self.agentCredentials(id, db).agent
        }
    }

    public func updateAgent(_ id: AgentID, in workspace: WorkspaceID, with patch: AgentPatch) async throws -> Agent {
        let name = try patch.name.map { try Validation.name($0) }
        let email = try patch.email.map { try Validation.email($0) }
        if case .some(let cap) = patch.maxOpenConversations { try Self.validateCapacity(cap) }
        let departments = patch.departmentIDs.map(IDList.normalized)
        return try await write(uniqueField: "email") { db in
            try self.requireRow("agents", id: id.rawValue, workspace: workspace, entity: "agent", db)
            if let departments {
                try self.requireExisting(departments, in: "departments", workspace: workspace, field: "departmentIds", db)
                try self.setDepartments(departments, of: id, db)
            }
            try db.execute(
                sql: """
                UPDATE agents SET name = coalesce(?, name), email = coalesce(?, email),
                    password_hash = coalesce(?, password_hash), role = coalesce(?, role), active = coalesce(?, active)
                WHERE id = ?
                """,
                arguments: [name, email, patch.passwordHash, patch.role?.rawValue, patch.active, id.rawValue])
            if case .some(let cap) = patch.maxOpenConversations {
                try db.execute(sql: "UPDATE agents SET max_open_conversations = ? WHERE id = ?", arguments: [cap, id.rawValue])
            }
            return try self.agentCredentials(id, db).agent
        }
    }

    public func agent(_ id: AgentID, in workspace: WorkspaceID) async throws -> Agent {
        try await read { db in
            let row = try db.fetchOneCached(sql: Self.agentSelect + " WHERE a.id = ? AND a.workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
            guard let row else { throw InboxError.notFound(entity: "agent") }
            return Self.credentials(from: row).agent
        }
    }

    public func agents(in workspace: WorkspaceID) async throws -> [Agent] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.agentSelect + " WHERE a.workspace_id = ? ORDER BY a.name, a.id", arguments: [workspace.rawValue])
                .map { Self.credentials(from: $0).agent }
        }
    }

    public func credentials(email: String) async throws -> [AgentCredentials] {
        let email = email.lowercased()
        return try await read { db in
            try Row.fetchAll(db, sql: Self.agentSelect + " WHERE a.email = ? ORDER BY a.workspace_id", arguments: [email])
                .map(Self.credentials(from:))
        }
    }

    private func agentCredentials(_ id: AgentID, _ db: Database) throws -> AgentCredentials {
        Self.credentials(from: try Row.fetchOne(db, sql: Self.agentSelect + " WHERE a.id = ?", arguments: [id.rawValue])!)
    }

    private func setDepartments(_ departments: [DepartmentID], of agent: AgentID, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM agent_departments WHERE agent_id = ?", arguments: [agent.rawValue])
        for department in departments {
            try db.execute(sql: "INSERT INTO agent_departments (agent_id, department_id) VALUES (?, ?)", arguments: [agent.rawValue, department.rawValue])
        }
    }

    private static func validateCapacity(_ cap: Int?) throws {
        if let cap, cap < 0 || cap > 100_000 {
            throw InboxError.invalidField(field: "maxOpenConversations", reason: "0 to 100000, or null for no cap")
        }
    }

    static func credentials(from row: Row) -> AgentCredentials {
        let agent = Agent(
            id: row.id("id"), workspaceID: row.id("workspace_id"), name: row["name"], email: row["email"],
            role: Role(rawValue: row["role"]) ?? .agent, departmentIDs: IDList.decode(row["department_ids"] ?? ""),
            active: row.bool("active"), maxOpenConversations: row["max_open_conversations"])
        return AgentCredentials(agent: agent, passwordHash: row["password_hash"], workspaceSlug: row["workspace_slug"])
    }

    // MARK: Sessions

    public func createSession(_ session: SessionRecord) async throws {
        try await write(uniqueField: "token") { db in
            try db.execute(
                sql: "INSERT INTO sessions (token_hash, agent_id, workspace_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [session.tokenHash, session.agentID.rawValue, session.workspaceID.rawValue,
                            session.createdAt.milliseconds, session.expiresAt.milliseconds])
        }
    }

    public func session(tokenHash: String) async throws -> SessionRecord? {
        try await read { db in
            try db.fetchOneCached(sql: "SELECT * FROM sessions WHERE token_hash = ?", arguments: [tokenHash]).map {
                SessionRecord(
                    tokenHash: $0["token_hash"], agentID: $0.id("agent_id"), workspaceID: $0.id("workspace_id"),
                    createdAt: $0.timestamp("created_at"), expiresAt: $0.timestamp("expires_at"),
                    revokedAt: ($0["revoked_at"] as Int64?).map(Timestamp.init(milliseconds:)))
            }
        }
    }

    public func revokeSession(tokenHash: String) async throws {
        let at = now()
        try await write { db in
            try db.execute(sql: "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", arguments: [at.milliseconds, tokenHash])
        }
    }

    public func revokeSessions(of agent: AgentID) async throws {
        let at = now()
        try await write { db in
            try db.execute(sql: "UPDATE sessions SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL", arguments: [at.milliseconds, agent.rawValue])
        }
    }
}
