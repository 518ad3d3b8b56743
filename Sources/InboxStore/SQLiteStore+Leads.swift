import GRDB
import InboxCore

extension SQLiteStore {
    public func upsertContact(_ upsert: ContactUpsert, in workspace: WorkspaceID) async throws -> StoreResult<Contact> {
        let externalID = try Validation.key(upsert.externalID, field: "externalId")
        let name = try Validation.name(upsert.name)
        let handles = try upsert.handles?.map {
            ContactHandle(connectionID: $0.connectionID, handle: try Validation.key($0.handle, field: "handles.handle"))
        }
        let tags = upsert.tagIDs.map(IDList.normalized)
        let departments = upsert.departmentIDs.map(IDList.normalized)
        let createdAt = now()
        return try await write(uniqueField: "handles") { db in
            try self.requireWorkspace(workspace, db)
            if let tags { try self.requireExisting(tags, in: "tags", workspace: workspace, field: "tagIds", db) }
            if let departments { try self.requireExisting(departments, in: "departments", workspace: workspace, field: "departmentIds", db) }
            if let handles {
                try self.requireExisting(handles.map(\.connectionID), in: "connections", workspace: workspace, field: "handles.connectionId", db)
            }
            var existing = try Int64.fetchOne(
                db, sql: "SELECT id FROM contacts WHERE workspace_id = ? AND external_id = ?", arguments: [workspace.rawValue, externalID])
            if existing == nil, let handles {
                // A customer who wrote before the CRM knew them: the CRM adopts that contact.
                existing = try self.adoptableContact(reachedAt: handles, db)
                if let adopted = existing {
                    try db.execute(sql: "UPDATE contacts SET external_id = ? WHERE id = ?", arguments: [externalID, adopted])
                }
            }
            let contactID: ContactID
            if let existing {
                contactID = ContactID(existing)
                try db.execute(sql: "UPDATE contacts SET name = ? WHERE id = ?", arguments: [name, existing])
            } else {
                try db.execute(
                    sql: "INSERT INTO contacts (workspace_id, external_id, name, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [workspace.rawValue, externalID, name, createdAt.milliseconds])
                contactID = ContactID(db.lastInsertedRowID)
            }
            if let handles {
                try db.execute(sql: "DELETE FROM contact_handles WHERE contact_id = ?", arguments: [contactID.rawValue])
                for handle in Set(handles) {
                    try db.execute(
                        sql: "INSERT INTO contact_handles (contact_id, connection_id, handle) VALUES (?, ?, ?)",
                        arguments: [contactID.rawValue, handle.connectionID.rawValue, handle.handle])
                }
            }
            if let tags { try self.replace(tags, of: contactID, in: "contact_tags", column: "tag_id", db) }
            if let departments { try self.replace(departments, of: contactID, in: "contact_departments", column: "department_id", db) }
            let contact = try self.loadContact(contactID, in: workspace, db)
            let changes = try self.reflectLead(contact, includingDepartments: departments != nil, db)
            return StoreResult(value: contact, changes: changes)
        }
    }

    public func contact(_ id: ContactID, in workspace: WorkspaceID) async throws -> Contact {
        try await read { db in try self.loadContact(id, in: workspace, db) }
    }

    public func upsertDeal(_ upsert: DealUpsert, in workspace: WorkspaceID) async throws -> StoreResult<Deal> {
        let externalID = try Validation.key(upsert.externalID, field: "externalId")
        let title = try Validation.name(upsert.title, field: "title")
        return try await write { db in
            try self.requireWorkspace(workspace, db)
            let contactID: ContactID
            switch upsert.contact {
            case .id(let id):
                try self.requireExisting([id], in: "contacts", workspace: workspace, field: "contactId", db)
                contactID = id
            case .externalID(let external):
                let found = try Int64.fetchOne(
                    db, sql: "SELECT id FROM contacts WHERE workspace_id = ? AND external_id = ?", arguments: [workspace.rawValue, external])
                guard let found else { throw InboxError.invalidReference(field: "contactExternalId") }
                contactID = ContactID(found)
            }
            try self.requireExisting([upsert.stageID], in: "stages", workspace: workspace, field: "stageId", db)
            let previousContact = try Int64.fetchOne(
                db, sql: "SELECT contact_id FROM deals WHERE workspace_id = ? AND external_id = ?", arguments: [workspace.rawValue, externalID])
            if previousContact != nil {
                try db.execute(
                    sql: "UPDATE deals SET contact_id = ?, stage_id = ?, title = ?, value_cents = ? WHERE workspace_id = ? AND external_id = ?",
                    arguments: [contactID.rawValue, upsert.stageID.rawValue, title, upsert.valueCents, workspace.rawValue, externalID])
            } else {
                try db.execute(
                    sql: "INSERT INTO deals (workspace_id, external_id, contact_id, stage_id, title, value_cents) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [workspace.rawValue, externalID, contactID.rawValue, upsert.stageID.rawValue, title, upsert.valueCents])
            }
            var changes = try self.reflectLead(try self.loadContact(contactID, in: workspace, db), includingDepartments: false, db)
            if let previousContact, previousContact != contactID.rawValue {
                changes += try self.reflectLead(try self.loadContact(ContactID(previousContact), in: workspace, db), includingDepartments: false, db)
            }
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM deals WHERE workspace_id = ? AND external_id = ?", arguments: [workspace.rawValue, externalID])!
            return StoreResult(value: Self.deal(from: row), changes: changes)
        }
    }

    public func deals(of contact: ContactID, in workspace: WorkspaceID) async throws -> [Deal] {
        try await read { db in
            try self.requireRow("contacts", id: contact.rawValue, workspace: workspace, entity: "contact", db)
            return try Row.fetchAll(db, sql: "SELECT * FROM deals WHERE contact_id = ? ORDER BY id", arguments: [contact.rawValue])
                .map(Self.deal(from:))
        }
    }

    public func setLeadTag(_ tag: TagID, present: Bool, on contact: ContactID, in workspace: WorkspaceID) async throws -> StoreResult<Contact> {
        try await write { db in
            try self.requireRow("contacts", id: contact.rawValue, workspace: workspace, entity: "contact", db)
            try self.requireExisting([tag], in: "tags", workspace: workspace, field: "tagId", db)
            if present {
                try db.execute(sql: "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) VALUES (?, ?)", arguments: [contact.rawValue, tag.rawValue])
            } else {
                try db.execute(sql: "DELETE FROM contact_tags WHERE contact_id = ? AND tag_id = ?", arguments: [contact.rawValue, tag.rawValue])
            }
            let lead = try self.loadContact(contact, in: workspace, db)
            return StoreResult(value: lead, changes: try self.reflectLead(lead, includingDepartments: false, db))
        }
    }

    public func moveLead(_ contact: ContactID, to stage: StageID, in workspace: WorkspaceID) async throws -> StoreResult<[Deal]> {
        try await write { db in
            try self.requireRow("contacts", id: contact.rawValue, workspace: workspace, entity: "contact", db)
            let pipeline = try Int64.fetchOne(
                db, sql: "SELECT pipeline_id FROM stages WHERE id = ? AND workspace_id = ?", arguments: [stage.rawValue, workspace.rawValue])
            guard let pipeline else { throw InboxError.invalidReference(field: "stageId") }
            try db.execute(
                sql: "UPDATE deals SET stage_id = ? WHERE contact_id = ? AND stage_id IN (SELECT id FROM stages WHERE pipeline_id = ?)",
                arguments: [stage.rawValue, contact.rawValue, pipeline])
            if db.changesCount == 0 {
                // No deal in this pipeline yet: open one, under an external id the CRM can adopt.
                let name = try String.fetchOne(db, sql: "SELECT name FROM contacts WHERE id = ?", arguments: [contact.rawValue]) ?? ""
                // Fix: `INSERT OR IGNORE` opened nothing (and returned no deal) when that id was
                // already taken, e.g. the CRM adopted the opened deal and moved it to another
                // pipeline or lead. Then the new deal's id makes the external id unique.
                var externalID = "switchboard:\(contact.rawValue):\(pipeline)"
                if try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM deals WHERE workspace_id = ? AND external_id = ?)",
                    arguments: [workspace.rawValue, externalID]) ?? false {
                    externalID += ":\(try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM deals") ?? 0)"
                }
                try db.execute(
                    sql: "INSERT INTO deals (workspace_id, external_id, contact_id, stage_id, title) VALUES (?, ?, ?, ?, ?)",
                    arguments: [workspace.rawValue, externalID, contact.rawValue, stage.rawValue, name])
            }
            let changes = try self.reflectLead(try self.loadContact(contact, in: workspace, db), includingDepartments: false, db)
            let deals = try Row.fetchAll(
                db, sql: "SELECT * FROM deals WHERE contact_id = ? AND stage_id = ? ORDER BY id", arguments: [contact.rawValue, stage.rawValue])
            return StoreResult(value: deals.map(Self.deal(from:)), changes: changes)
        }
    }

    static func deal(from row: Row) -> Deal {
        Deal(
            id: row.id("id"), workspaceID: row.id("workspace_id"), externalID: row["external_id"], contactID: row.id("contact_id"),
            stageID: row.id("stage_id"), title: row["title"], valueCents: row["value_cents"])
    }

    /// A contact without a CRM id that owns one of `handles`, if any.
    private func adoptableContact(reachedAt handles: [ContactHandle], _ db: Database) throws -> Int64? {
        for handle in handles {
            if let id = try Int64.fetchOne(
                db, sql: """
                SELECT c.id FROM contact_handles h JOIN contacts c ON c.id = h.contact_id
                WHERE h.connection_id = ? AND h.handle = ? AND c.external_id IS NULL
                """, arguments: [handle.connectionID.rawValue, handle.handle]) {
                return id
            }
        }
        return nil
    }

    /// The contact reached at `handle` on the connection, created on first contact.
    func findOrCreateContact(
        handle: String, name: String?, on connection: ConnectionID, in workspace: WorkspaceID, at time: Timestamp, _ db: Database
    ) throws -> Contact {
        if let id = try Int64.fetchOne(
            db, sql: "SELECT contact_id FROM contact_handles WHERE connection_id = ? AND handle = ?",
            arguments: [connection.rawValue, handle]) {
            return try loadContact(ContactID(id), in: workspace, db)
        }
        try db.execute(
            sql: "INSERT INTO contacts (workspace_id, name, created_at) VALUES (?, ?, ?)",
            arguments: [workspace.rawValue, name ?? handle, time.milliseconds])
        let id = db.lastInsertedRowID
        try db.execute(
            sql: "INSERT INTO contact_handles (contact_id, connection_id, handle) VALUES (?, ?, ?)",
            arguments: [id, connection.rawValue, handle])
        return try loadContact(ContactID(id), in: workspace, db)
    }

    func loadContact(_ id: ContactID, in workspace: WorkspaceID, _ db: Database) throws -> Contact {
        let row = try Row.fetchOne(
            db, sql: "SELECT * FROM contacts WHERE id = ? AND workspace_id = ?", arguments: [id.rawValue, workspace.rawValue])
        guard let row else { throw InboxError.notFound(entity: "contact") }
        let handles = try Row.fetchAll(
            db, sql: "SELECT connection_id, handle FROM contact_handles WHERE contact_id = ? ORDER BY connection_id, handle",
            arguments: [id.rawValue]
        ).map { ContactHandle(connectionID: $0.id("connection_id"), handle: $0["handle"]) }
        let tags = try Int64.fetchAll(db, sql: "SELECT tag_id FROM contact_tags WHERE contact_id = ? ORDER BY tag_id", arguments: [id.rawValue])
        let departments = try Int64.fetchAll(
            db, sql: "SELECT department_id FROM contact_departments WHERE contact_id = ? ORDER BY department_id", arguments: [id.rawValue])
        return Contact(
            id: id, workspaceID: workspace, externalID: row["external_id"], name: row["name"], handles: handles,
            tagIDs: tags.map(TagID.init), departmentIDs: departments.map(DepartmentID.init), createdAt: row.timestamp("created_at"))
    }

    /// The distinct stages of the lead's deals, sorted.
    func stagesOfDeals(of contact: ContactID, _ db: Database) throws -> [StageID] {
        try Int64.fetchAll(db, sql: "SELECT DISTINCT stage_id FROM deals WHERE contact_id = ? ORDER BY stage_id", arguments: [contact.rawValue])
            .map(StageID.init)
    }

    /// Copies the lead's name, tags and deal stages (and departments, when the CRM changed them)
    /// onto each of its conversations that differs, logging one change per conversation changed.
    /// Departments are copied only when pushed, so a department transfer of one conversation
    /// survives unrelated lead updates.
    private func reflectLead(_ contact: Contact, includingDepartments: Bool, _ db: Database) throws -> [ChangeLogEntry] {
        let stages = try stagesOfDeals(of: contact.id, db)
        let conversationIDs = try Int64.fetchAll(db, sql: "SELECT id FROM conversations WHERE contact_id = ? ORDER BY id", arguments: [contact.id.rawValue])
        var changes: [ChangeLogEntry] = []
        for id in conversationIDs.map(ConversationID.init) {
            let current = try loadConversation(id, in: contact.workspaceID, db)
            guard current.contactName != contact.name || current.tagIDs != contact.tagIDs
                || (includingDepartments && current.departmentIDs != contact.departmentIDs) || current.stageIDs != stages
            else { continue }
            let (_, change) = try mutate(id, in: contact.workspaceID, kind: .leadUpdated, db) {
                $0.contactName = contact.name
                $0.tagIDs = contact.tagIDs
                if includingDepartments { $0.departmentIDs = contact.departmentIDs }
                $0.stageIDs = stages
            }
            changes.append(change)
        }
        return changes
    }

    private func replace<E>(_ ids: [Identifier<E>], of contact: ContactID, in table: String, column: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM \(table) WHERE contact_id = ?", arguments: [contact.rawValue])
        for id in ids {
            try db.execute(sql: "INSERT INTO \(table) (contact_id, \(column)) VALUES (?, ?)", arguments: [contact.rawValue, id.rawValue])
        }
    }
}
