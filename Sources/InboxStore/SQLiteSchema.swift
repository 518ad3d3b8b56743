import GRDB

/// The SQLite schema. Migrations are frozen once shipped: add a new one, never edit one.
/// They use SQL literals only, never application types, so they keep meaning what they meant.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2-actions") { db in
            try db.execute(sql: v2)
        }
        return migrator
    }

    private static let v1 = """
    CREATE TABLE workspaces (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(name) > 0),
        slug TEXT NOT NULL UNIQUE CHECK (length(slug) > 0),
        last_sequence INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );

    CREATE TABLE departments (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        UNIQUE (workspace_id, name)
    );

    CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        color TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        UNIQUE (workspace_id, name)
    );

    CREATE TABLE connections (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        kind TEXT NOT NULL CHECK (kind IN ('whatsapp', 'instagram', 'api', 'other')),
        name TEXT NOT NULL CHECK (length(name) > 0),
        secret_hash TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        UNIQUE (workspace_id, name)
    );

    CREATE TABLE pipelines (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        UNIQUE (workspace_id, name)
    );

    CREATE TABLE stages (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        position INTEGER NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        UNIQUE (pipeline_id, name)
    );

    CREATE TABLE agents (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        email TEXT NOT NULL CHECK (email = lower(email) AND length(email) > 2),
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'agent')),
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        max_open_conversations INTEGER CHECK (max_open_conversations IS NULL OR max_open_conversations >= 0),
        created_at INTEGER NOT NULL,
        UNIQUE (workspace_id, email)
    );
    CREATE INDEX agents_by_email ON agents(email);

    CREATE TABLE agent_departments (
        agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        department_id INTEGER NOT NULL REFERENCES departments(id),
        PRIMARY KEY (agent_id, department_id)
    ) WITHOUT ROWID;

    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        agent_id INTEGER NOT NULL REFERENCES agents(id),
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX sessions_by_agent ON sessions(agent_id);

    CREATE TABLE contacts (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        external_id TEXT,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (workspace_id, external_id)
    );

    CREATE TABLE contact_handles (
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        connection_id INTEGER NOT NULL REFERENCES connections(id),
        handle TEXT NOT NULL CHECK (length(handle) > 0),
        PRIMARY KEY (connection_id, handle)
    ) WITHOUT ROWID;
    CREATE INDEX contact_handles_by_contact ON contact_handles(contact_id);

    CREATE TABLE contact_tags (
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        PRIMARY KEY (contact_id, tag_id)
    ) WITHOUT ROWID;

    CREATE TABLE contact_departments (
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        department_id INTEGER NOT NULL REFERENCES departments(id),
        PRIMARY KEY (contact_id, department_id)
    ) WITHOUT ROWID;

    CREATE TABLE deals (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        external_id TEXT NOT NULL,
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        stage_id INTEGER NOT NULL REFERENCES stages(id),
        title TEXT NOT NULL,
        value_cents INTEGER,
        UNIQUE (workspace_id, external_id)
    );
    CREATE INDEX deals_by_contact ON deals(contact_id);

    -- Tag, department and stage ids live twice: as sorted comma lists, which a list page
    -- reads without joins, and in the three membership tables below, which filters search.
    -- Both are written by the same function and never apart.
    CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        contact_id INTEGER NOT NULL REFERENCES contacts(id),
        contact_name TEXT NOT NULL,
        connection_id INTEGER NOT NULL REFERENCES connections(id),
        assignee_id INTEGER REFERENCES agents(id),
        department_ids TEXT NOT NULL DEFAULT '',
        tag_ids TEXT NOT NULL DEFAULT '',
        stage_ids TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN ('open', 'finished')),
        awaiting_reply INTEGER NOT NULL CHECK (awaiting_reply IN (0, 1)),
        send_failed INTEGER NOT NULL CHECK (send_failed IN (0, 1)),
        automated INTEGER NOT NULL CHECK (automated IN (0, 1)),
        unread_count INTEGER NOT NULL CHECK (unread_count >= 0),
        last_message_preview TEXT NOT NULL,
        last_activity_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        version INTEGER NOT NULL CHECK (version > 0),
        UNIQUE (contact_id, connection_id)
    );
    -- Keyset pagination: each index ends in (last_activity_at, id), the list order, so a page is
    -- a range scan in either direction on whichever prefix the filter pins down.
    CREATE INDEX conversations_by_activity ON conversations(workspace_id, last_activity_at, id);
    CREATE INDEX conversations_by_assignee ON conversations(workspace_id, assignee_id, last_activity_at, id);
    -- Mine / Unassigned with "all open" (the seed's default tabs): both equalities, then the order.
    CREATE INDEX conversations_by_assignee_status ON conversations(workspace_id, assignee_id, status, last_activity_at, id);
    CREATE INDEX conversations_by_status ON conversations(workspace_id, status, last_activity_at, id);
    CREATE INDEX conversations_by_connection ON conversations(workspace_id, connection_id, last_activity_at, id);
    CREATE INDEX conversations_send_failed ON conversations(workspace_id, last_activity_at, id)
        WHERE send_failed = 1 AND status = 'open';
    CREATE INDEX conversations_automated ON conversations(workspace_id, last_activity_at, id)
        WHERE automated = 1 AND status = 'open';

    -- Membership tables carry the conversation's list order (last_activity_at), so a list
    -- filtered by one tag, stage or department is a range scan of that member's rows in
    -- order, however rare the member is: no scan of the whole workspace, no sort.
    CREATE TABLE conversation_tags (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        tag_id INTEGER NOT NULL REFERENCES tags(id),
        last_activity_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, tag_id)
    ) WITHOUT ROWID;
    CREATE INDEX conversation_tags_by_tag ON conversation_tags(tag_id, last_activity_at, conversation_id);

    CREATE TABLE conversation_departments (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        department_id INTEGER NOT NULL REFERENCES departments(id),
        last_activity_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, department_id)
    ) WITHOUT ROWID;
    CREATE INDEX conversation_departments_by_department ON conversation_departments(department_id, last_activity_at, conversation_id);

    CREATE TABLE conversation_stages (
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        stage_id INTEGER NOT NULL REFERENCES stages(id),
        last_activity_at INTEGER NOT NULL,
        PRIMARY KEY (conversation_id, stage_id)
    ) WITHOUT ROWID;
    CREATE INDEX conversation_stages_by_stage ON conversation_stages(stage_id, last_activity_at, conversation_id);

    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        conversation_id INTEGER NOT NULL REFERENCES conversations(id),
        connection_id INTEGER NOT NULL REFERENCES connections(id),
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        author_agent_id INTEGER REFERENCES agents(id),
        author_name TEXT NOT NULL,
        text TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        delivery_status TEXT NOT NULL CHECK (delivery_status IN ('pending', 'sent', 'delivered', 'read', 'failed')),
        failure_reason TEXT,
        failure_dismissed INTEGER NOT NULL DEFAULT 0 CHECK (failure_dismissed IN (0, 1)),
        automated INTEGER NOT NULL CHECK (automated IN (0, 1)),
        client_message_id TEXT,
        provider_message_id TEXT,
        created_at INTEGER NOT NULL,
        UNIQUE (conversation_id, client_message_id),
        UNIQUE (connection_id, provider_message_id)
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX messages_failed ON messages(conversation_id)
        WHERE delivery_status = 'failed' AND failure_dismissed = 0;

    CREATE TABLE change_log (
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        sequence INTEGER NOT NULL,
        kind TEXT NOT NULL,
        conversation_id INTEGER NOT NULL,
        message_id INTEGER,
        payload TEXT NOT NULL,
        previous_payload TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (workspace_id, sequence)
    ) WITHOUT ROWID;
    CREATE INDEX change_log_by_time ON change_log(created_at);
    """

    /// Outbound delivery, the traffic cop, automations and recorded runs.
    private static let v2 = """
    -- The outbound adapter's settings (JSON) and the webhook's signing secret, kept apart so
    -- that no listing ever returns it.
    ALTER TABLE connections ADD COLUMN outbound TEXT NOT NULL DEFAULT '{"adapter":"none"}';
    ALTER TABLE connections ADD COLUMN outbound_secret TEXT;

    -- The conversation's version right after an inbound message arrived: a reply written
    -- against an older version has not seen it.
    ALTER TABLE messages ADD COLUMN conversation_version INTEGER;
    -- The outbox: a pending outbound message with a due time is dispatched by its adapter.
    ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE messages ADD COLUMN next_attempt_at INTEGER;
    CREATE INDEX messages_outbox ON messages(next_attempt_at)
        WHERE delivery_status = 'pending' AND next_attempt_at IS NOT NULL;
    CREATE INDEX messages_latest_inbound ON messages(conversation_id, id) WHERE direction = 'inbound';

    CREATE TABLE automations (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL CHECK (length(name) > 0),
        trigger_kind TEXT NOT NULL CHECK (trigger_kind IN ('manual', 'new_conversation', 'keyword')),
        trigger TEXT NOT NULL,
        actions TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
        created_at INTEGER NOT NULL,
        UNIQUE (workspace_id, name)
    );
    CREATE INDEX automations_by_trigger ON automations(workspace_id, trigger_kind) WHERE active = 1;

    -- Bulk actions and automation runs. An agent's idempotency key names one run.
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
        agent_id INTEGER REFERENCES agents(id),
        idempotency_key TEXT,
        action TEXT NOT NULL,
        automation_id INTEGER REFERENCES automations(id),
        trigger_kind TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'done')),
        total INTEGER NOT NULL CHECK (total >= 0),
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        UNIQUE (workspace_id, agent_id, idempotency_key)
    );
    CREATE INDEX runs_by_automation ON runs(automation_id, id) WHERE automation_id IS NOT NULL;
    CREATE INDEX runs_running ON runs(status) WHERE status = 'running';

    CREATE TABLE run_items (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        position INTEGER NOT NULL,
        conversation_id INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'skipped', 'forbidden', 'not_found', 'failed')),
        reason TEXT,
        PRIMARY KEY (run_id, position)
    ) WITHOUT ROWID;
    """
}
