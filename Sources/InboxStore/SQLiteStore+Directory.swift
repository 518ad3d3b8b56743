import Foundation
import GRDB
import InboxCore

extension SQLiteStore {
    // MARK: Workspaces

    public func createWorkspace(name: String, slug: String) async throws -> Workspace {
        let name = try Validation.name(name)
        let slug = try Validation.key(slug.lowercased(), field: "slug")
        let createdAt = now()
        return try await write(uniqueField: "slug") { db in
            try db.execute(
                sql: "INSERT INTO workspaces (name, slug, created_at) VALUES (?, ?, ?)",
                arguments: [name, slug, createdAt.milliseconds])
            return Workspace(id: WorkspaceID(db.lastInsertedRowID), name: name, slug: slug, createdAt: createdAt)
        }
    }

    public func workspace(_ id: WorkspaceID) async throws -> Workspace {
        let found = try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE id = ?", arguments: [id.rawValue]).map(Self.workspace(from:))
        }
        guard let found else { throw InboxError.notFound(entity: "workspace") }
        return found
    }

    public func workspace(slug: String) async throws -> Workspace? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workspaces WHERE slug = ?", arguments: [slug.lowercased()]).map(Self.workspace(from:))
        }
    }

    public func workspaces() async throws -> [Workspace] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM workspaces ORDER BY id").map(Self.workspace(from:)) }
    }

    static func workspace(from row: Row) -> Workspace {
        Workspace(id: row.id("id"), name: row["name"], slug: row["slug"], createdAt: row.timestamp("created_at"))
    }

    // MARK: Departments

    public func createDepartment(name: String, in workspace: WorkspaceID) async throws -> Department {
        let name = try Validation.name(name)
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            try db.execute(sql: "INSERT INTO departments (workspace_id, name) VALUES (?, ?)", arguments: [workspace.rawValue, name])
            return Department(id: DepartmentID(db.lastInsertedRowID), workspaceID: workspace, name: name)
        }
    }

    public func updateDepartment(_ id: DepartmentID, in workspace: WorkspaceID, name: String?, active: Bool?) async throws -> Department {
        let name = try name.map { try Validation.name($0) }
        return try await write { db in
            try self.requireRow("departments", id: id.rawValue, workspace: workspace, entity: "department", db)
            try db.execute(
                sql: "UPDATE departments SET name = coalesce(?, name), active = coalesce(?, active) WHERE id = ?",
                arguments: [name, active, id.rawValue])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM departments WHERE id = ?", arguments: [id.rawValue])!
            return Self.department(from: row)
        }
    }

    public func departments(in workspace: WorkspaceID) async throws -> [Department] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM departments WHERE workspace_id = ? ORDER BY name", arguments: [workspace.rawValue])
                .map(Self.department(from:))
        }
    }

    static func department(from row: Row) -> Department {
        Department(id: row.id("id"), workspaceID: row.id("workspace_id"), name: row["name"], active: row.bool("active"))
    }

    // MARK: Tags

    public func createTag(name: String, color: String, in workspace: WorkspaceID) async throws -> Tag {
        let name = try Validation.name(name)
        let color = try Validation.color(color)
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            try db.execute(sql: "INSERT INTO tags (workspace_id, name, color) VALUES (?, ?, ?)", arguments: [workspace.rawValue, name, color])
            return Tag(id: TagID(db.lastInsertedRowID), workspaceID: workspace, name: name, color: color)
        }
    }

    public func updateTag(_ id: TagID, in workspace: WorkspaceID, name: String?, color: String?, active: Bool?) async throws -> Tag {
        let name = try name.map { try Validation.name($0) }
        let color = try color.map { try Validation.color($0) }
        return try await write { db in
            try self.requireRow("tags", id: id.rawValue, workspace: workspace, entity: "tag", db)
            try db.execute(
                sql: "UPDATE tags SET name = coalesce(?, name), color = coalesce(?, color), active = coalesce(?, active) WHERE id = ?",
                arguments: [name, color, active, id.rawValue])
            return Self.tag(from: try Row.fetchOne(db, sql: "SELECT * FROM tags WHERE id = ?", arguments: [id.rawValue])!)
        }
    }

    public func tags(in workspace: WorkspaceID) async throws -> [Tag] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tags WHERE workspace_id = ? ORDER BY name", arguments: [workspace.rawValue])
                .map(Self.tag(from:))
        }
    }

    static func tag(from row: Row) -> Tag {
        Tag(id: row.id("id"), workspaceID: row.id("workspace_id"), name: row["name"], color: row["color"], active: row.bool("active"))
    }

    // MARK: Connections

    public func createConnection(kind: ConnectionKind, name: String, secretHash: String, in workspace: WorkspaceID) async throws -> Connection {
        let name = try Validation.name(name)
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            try db.execute(
                sql: "INSERT INTO connections (workspace_id, kind, name, secret_hash) VALUES (?, ?, ?, ?)",
                arguments: [workspace.rawValue, kind.rawValue, name, secretHash])
            return Connection(id: ConnectionID(db.lastInsertedRowID), workspaceID: workspace, kind: kind, name: name)
        }
    }

    public func updateConnection(_ id: ConnectionID, in workspace: WorkspaceID, with patch: ConnectionPatch) async throws -> Connection {
        let name = try patch.name.map { try Validation.name($0) }
        let outbound = try patch.outbound.map { String(decoding: try self.encoder.encode(try $0.validated()), as: UTF8.self) }
        return try await write { db in
            try self.requireRow("connections", id: id.rawValue, workspace: workspace, entity: "connection", db)
            try db.execute(
                sql: """
                UPDATE connections SET name = coalesce(?, name), kind = coalesce(?, kind),
                    active = coalesce(?, active), secret_hash = coalesce(?, secret_hash),
                    outbound = coalesce(?, outbound), outbound_secret = coalesce(?, outbound_secret) WHERE id = ?
                """,
                arguments: [name, patch.kind?.rawValue, patch.active, patch.secretHash, outbound, patch.outboundSecret, id.rawValue])
            return Self.connection(from: try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE id = ?", arguments: [id.rawValue])!)
        }
    }

    public func connection(_ id: ConnectionID, in workspace: WorkspaceID) async throws -> Connection {
        let found = try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
                .map(Self.connection(from:))
        }
        guard let found else { throw InboxError.notFound(entity: "connection") }
        return found
    }

    public func connectionCredentials(_ id: ConnectionID) async throws -> (Connection, secretHash: String)? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE id = ?", arguments: [id.rawValue])
                .map { (Self.connection(from: $0), secretHash: $0["secret_hash"] as String) }
        }
    }

    public func connections(in workspace: WorkspaceID) async throws -> [Connection] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM connections WHERE workspace_id = ? ORDER BY name", arguments: [workspace.rawValue])
                .map(Self.connection(from:))
        }
    }

    static func connection(from row: Row) -> Connection {
        Connection(
            id: row.id("id"), workspaceID: row.id("workspace_id"),
            kind: ConnectionKind(rawValue: row["kind"]) ?? .other, name: row["name"], active: row.bool("active"),
            outbound: decodeOutbound(row["outbound"]))
    }

    // MARK: Pipelines and stages

    public func createPipeline(name: String, stageNames: [String], in workspace: WorkspaceID) async throws -> Pipeline {
        let name = try Validation.name(name)
        let stageNames = try stageNames.map { try Validation.name($0, field: "stages") }
        guard Set(stageNames).count == stageNames.count else {
            throw InboxError.invalidField(field: "stages", reason: "stage names must be distinct")
        }
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            try db.execute(sql: "INSERT INTO pipelines (workspace_id, name) VALUES (?, ?)", arguments: [workspace.rawValue, name])
            let pipelineID = db.lastInsertedRowID
            for (position, stage) in stageNames.enumerated() {
                try db.execute(
                    sql: "INSERT INTO stages (workspace_id, pipeline_id, name, position) VALUES (?, ?, ?, ?)",
                    arguments: [workspace.rawValue, pipelineID, stage, position])
            }
            return try self.pipeline(PipelineID(pipelineID), db)
        }
    }

    public func updatePipeline(_ id: PipelineID, in workspace: WorkspaceID, name: String?, active: Bool?) async throws -> Pipeline {
        let name = try name.map { try Validation.name($0) }
        return try await write { db in
            try self.requireRow("pipelines", id: id.rawValue, workspace: workspace, entity: "pipeline", db)
            try db.execute(
                sql: "UPDATE pipelines SET name = coalesce(?, name), active = coalesce(?, active) WHERE id = ?",
                arguments: [name, active, id.rawValue])
            return try self.pipeline(id, db)
        }
    }

    public func addStage(name: String, position: Int?, to pipeline: PipelineID, in workspace: WorkspaceID) async throws -> Pipeline {
        let name = try Validation.name(name)
        return try await write { db in
            try self.requireRow("pipelines", id: pipeline.rawValue, workspace: workspace, entity: "pipeline", db)
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM stages WHERE pipeline_id = ?", arguments: [pipeline.rawValue]) ?? 0
            try db.execute(
                sql: "INSERT INTO stages (workspace_id, pipeline_id, name, position) VALUES (?, ?, ?, ?)",
                arguments: [workspace.rawValue, pipeline.rawValue, name, count])
            let stageID = StageID(db.lastInsertedRowID)
            if let position { try self.move(stageID, of: pipeline, to: position, db) }
            return try self.pipeline(pipeline, db)
        }
    }

    public func updateStage(_ id: StageID, in workspace: WorkspaceID, name: String?, position: Int?, active: Bool?) async throws -> Pipeline {
        let name = try name.map { try Validation.name($0) }
        return try await write { db in
            try self.requireRow("stages", id: id.rawValue, workspace: workspace, entity: "stage", db)
            let pipeline = PipelineID(try Int64.fetchOne(db, sql: "SELECT pipeline_id FROM stages WHERE id = ?", arguments: [id.rawValue])!)
            try db.execute(
                sql: "UPDATE stages SET name = coalesce(?, name), active = coalesce(?, active) WHERE id = ?",
                arguments: [name, active, id.rawValue])
            if let position { try self.move(id, of: pipeline, to: position, db) }
            return try self.pipeline(pipeline, db)
        }
    }

    /// Renumbers a pipeline's stages 0..n-1 with `stage` at `position` (clamped).
    private func move(_ stage: StageID, of pipeline: PipelineID, to position: Int, _ db: Database) throws {
        var order = try Int64.fetchAll(
            db, sql: "SELECT id FROM stages WHERE pipeline_id = ? AND id != ? ORDER BY position, id",
            arguments: [pipeline.rawValue, stage.rawValue])
        order.insert(stage.rawValue, at: min(max(position, 0), order.count))
        for (index, id) in order.enumerated() {
            try db.execute(sql: "UPDATE stages SET position = ? WHERE id = ?", arguments: [index, id])
        }
    }

    public func pipelines(in workspace: WorkspaceID) async throws -> [Pipeline] {
        try await read { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM pipelines WHERE workspace_id = ? ORDER BY name", arguments: [workspace.rawValue])
                .map { try self.pipeline(PipelineID($0), db) }
        }
    }

    private func pipeline(_ id: PipelineID, _ db: Database) throws -> Pipeline {
        let row = try Row.fetchOne(db, sql: "SELECT * FROM pipelines WHERE id = ?", arguments: [id.rawValue])!
        let stages = try Row.fetchAll(db, sql: "SELECT * FROM stages WHERE pipeline_id = ? ORDER BY position, id", arguments: [id.rawValue])
            .map { Stage(id: $0.id("id"), pipelineID: id, name: $0["name"], position: $0["position"], active: $0.bool("active")) }
        return Pipeline(id: id, workspaceID: row.id("workspace_id"), name: row["name"], active: row.bool("active"), stages: stages)
    }
}
