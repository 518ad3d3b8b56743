import Foundation
import GRDB
import InboxCore

/// `seed --direct`: adds conversations to a workspace by writing straight into the SQLite file
/// of a stopped server, for the snapshot scenario's 100,000 and 1,000,000 (the inbound API
/// manages ~75 a second; this, tens of thousands).
///
/// The rows are the ones the store's own operations would leave behind, built with the same
/// rules: each conversation's flags, preview, unread count and version come from replaying its
/// messages through ``ConversationActivity`` (receive, assign, reply, delivery reports, finish),
/// exactly as the store derives them; the sorted id lists and the membership tables are written
/// together with the same order key; leads get a handle on the conversation's connection, tags,
/// a department and a deal at a stage in the proportions of ``SyntheticMix``; the agent who
/// holds a conversation shares its department, as in the demo. Activity spreads over the weeks
/// before the workspace's oldest conversation, so everything the demo and the load scenarios
/// write lands on top.
///
/// The change log is not written: it is a replay window for reconnecting clients, pruned after
/// minutes anyway. The workspace's sequence advances by every change the seeded history stands
/// for (a conversation's version counts its changes), and the log is emptied, so whatever
/// follows the log from before the seed sees that it no longer reaches back and starts afresh:
/// a resuming client is told to resync (log truncated) instead of replaying a log with a hole
/// in it, and the store's filter index reloads. Nothing needs a log entry per conversation.
struct DirectSeeder {
    var databasePath: String
    var conversations: Int
    var workspaceSlug: String
    /// The workspace of this agent when none has the slug.
    var adminEmail: String
    /// Days of activity the conversations spread over.
    var days: Int
    /// Load agents (lt00001…) created when missing, so that they hold conversations too.
    var loadAgents: Int
    var seed: UInt64
    var batchSize = 50_000

    struct Report {
        var workspace: WorkspaceID
        var conversations: Int
        var messages: Int
        var sequenceAdvance: Int64
        var createdAgents: Int
        var seconds: Double
    }

    /// The workspace's directory, as a seeded conversation may use it.
    struct Layout {
        struct Owner {
            var id: Int64
            var name: String
        }

        var workspace: Int64
        var connections: [(id: Int64, kind: String)]
        var tags: [Int64]
        /// Active departments, by name (the API's order, which load agents' departments follow).
        var departments: [Int64]
        var stages: [Int64]
        /// Agents who may hold a lead of each department (index into `departments`), and of no department.
        var ownersByDepartment: [[Owner]]
        var ownersWithoutDepartment: [Owner]
    }

    static func databasePath(dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("switchboard.sqlite")
    }

    func run(progress: (String) -> Void) throws -> Report {
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw LoadTestFailure("no database at \(databasePath): run `switchboard serve --demo --data-dir …` once, then stop it")
        }
        let started = monotonicNanos()
        var configuration = Configuration()
        // Checked afterwards by `--verify` (PRAGMA foreign_key_check); off, each row skips a parent lookup.
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        return try queue.writeWithoutTransaction { db in
            try Self.takeOver(db)
            var report: Report
            do {
                let workspace = try findWorkspace(db)
                let created = try ensureLoadAgents(workspace, db)
                let layout = try Self.layout(of: workspace, db)
                report = try write(layout, db, progress: progress)
                report.createdAgents = created
                progress("planner statistics (ANALYZE)…")
                try db.execute(sql: "PRAGMA analysis_limit = 1000")
                try db.execute(sql: "ANALYZE")
            } catch {
                try? Self.handBack(db)
                throw error
            }
            try Self.handBack(db)
            report.seconds = Double(monotonicNanos() - started) / 1e9
            return report
        }
    }

    // MARK: The seeding connection

    /// Leaves WAL for an in-memory rollback journal with no syncs, and keeps the file locked
    /// until done. Leaving WAL needs the only connection to the file, so this fails while the
    /// server (or anything else) has it open.
    private static func takeOver(_ db: Database) throws {
        let mode: String?
        do {
            mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = MEMORY")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
            throw LoadTestFailure("the database is in use: stop the server first (SIGTERM), then seed")
        }
        guard mode == "memory" else { throw LoadTestFailure("could not take the database over (journal mode \(mode ?? "?")): stop the server first") }
        try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
        try db.execute(sql: "PRAGMA synchronous = OFF")
        try db.execute(sql: "PRAGMA cache_size = -1048576") // 1 GiB
        try db.execute(sql: "PRAGMA temp_store = MEMORY")
        // The exclusive lock is taken now, not at the first write.
        try db.execute(sql: "BEGIN EXCLUSIVE; COMMIT")
    }

    /// Back to what the server expects: WAL, normal locking, durable commits.
    private static func handBack(_ db: Database) throws {
        try db.execute(sql: "PRAGMA locking_mode = NORMAL")
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
        let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        guard mode == "wal" else { throw LoadTestFailure("could not restore WAL mode (got \(mode ?? "?"))") }
    }

    // MARK: The workspace

    /// The workspace to seed, looked up without taking the file over (for `--verify` alone).
    func workspace() throws -> WorkspaceID {
        guard FileManager.default.fileExists(atPath: databasePath) else { throw LoadTestFailure("no database at \(databasePath)") }
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: databasePath, configuration: configuration)
        return WorkspaceID(try queue.read { try findWorkspace($0) })
    }

    private func findWorkspace(_ db: Database) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM workspaces WHERE slug = ?", arguments: [workspaceSlug]) { return id }
        if let id = try Int64.fetchOne(db, sql: "SELECT workspace_id FROM agents WHERE email = ?", arguments: [adminEmail.lowercased()]) { return id }
        throw LoadTestFailure("no workspace with slug \(workspaceSlug) nor agent \(adminEmail) in \(databasePath)")
    }

    /// Creates the first `loadAgents` load agents that do not exist yet, as `LoadWorkspace` would
    /// through the API (same email, name, department, password), so they can hold conversations.
    private func ensureLoadAgents(_ workspace: Int64, _ db: Database) throws -> Int {
        guard loadAgents > 0 else { return 0 }
        let departments = try Int64.fetchAll(
            db, sql: "SELECT id FROM departments WHERE workspace_id = ? AND active = 1 ORDER BY name", arguments: [workspace])
        let now = Timestamp.now().milliseconds
        var created = 0
        try db.inTransaction {
            for number in 1...loadAgents {
                let email = LoadWorkspace.agentEmail(number)
                if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM agents WHERE workspace_id = ? AND email = ?)", arguments: [workspace, email]) ?? false {
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO agents (workspace_id, name, email, password_hash, role, max_open_conversations, created_at) VALUES (?, ?, ?, ?, 'agent', NULL, ?)",
                    arguments: [workspace, LoadWorkspace.agentName(number), email, LoadWorkspace.passwordHash, now])
                if let department = LoadWorkspace.agentDepartment(number, of: departments) {
                    try db.execute(sql: "INSERT INTO agent_departments (agent_id, department_id) VALUES (?, ?)", arguments: [db.lastInsertedRowID, department])
                }
                created += 1
            }
            return .commit
        }
        return created
    }

    static func layout(of workspace: Int64, _ db: Database) throws -> Layout {
        let connections = try Row.fetchAll(
            db, sql: "SELECT id, kind FROM connections WHERE workspace_id = ? AND active = 1 ORDER BY id", arguments: [workspace]
        ).map { (id: $0["id"] as Int64, kind: $0["kind"] as String) }
        guard !connections.isEmpty else { throw LoadTestFailure("the workspace has no active connection") }
        let tags = try Int64.fetchAll(db, sql: "SELECT id FROM tags WHERE workspace_id = ? AND active = 1 ORDER BY id", arguments: [workspace])
        let departments = try Int64.fetchAll(
            db, sql: "SELECT id FROM departments WHERE workspace_id = ? AND active = 1 ORDER BY name", arguments: [workspace])
        let stages = try Int64.fetchAll(
            db, sql: """
            SELECT s.id FROM stages s JOIN pipelines p ON p.id = s.pipeline_id
            WHERE s.workspace_id = ? AND s.active = 1 AND p.active = 1 ORDER BY p.id, s.position
            """, arguments: [workspace])
        // Agents (not admins or supervisors) hold conversations, as in the demo's history.
        let agents = try Row.fetchAll(
            db, sql: """
            SELECT a.id, a.name, (SELECT group_concat(department_id) FROM agent_departments WHERE agent_id = a.id) AS departments
            FROM agents a WHERE a.workspace_id = ? AND a.active = 1 AND a.role = 'agent' ORDER BY a.id
            """, arguments: [workspace]
        ).map { row -> (owner: Layout.Owner, departments: Set<Int64>) in
            let list = (row["departments"] as String?) ?? ""
            return (Layout.Owner(id: row["id"], name: row["name"]), Set(list.split(separator: ",").compactMap { Int64($0) }))
        }
        let everyone = agents.map(\.owner)
        let byDepartment = departments.map { department in
            let members = agents.filter { $0.departments.contains(department) }.map(\.owner)
            return members.isEmpty ? everyone : members
        }
        return Layout(
            workspace: workspace, connections: connections, tags: tags, departments: departments, stages: stages,
            ownersByDepartment: byDepartment, ownersWithoutDepartment: everyone)
    }

    // MARK: The rows

    /// Prepared once; `setUncheckedArguments` + `execute` per row.
    private struct Statements {
        let contact, handle, contactTag, contactDepartment, deal, conversation, conversationTag, conversationDepartment,
            conversationStage, message: Statement

        init(_ db: Database) throws {
            contact = try db.makeStatement(sql: "INSERT INTO contacts (id, workspace_id, external_id, name, created_at) VALUES (?, ?, ?, ?, ?)")
            handle = try db.makeStatement(sql: "INSERT INTO contact_handles (contact_id, connection_id, handle) VALUES (?, ?, ?)")
            contactTag = try db.makeStatement(sql: "INSERT INTO contact_tags (contact_id, tag_id) VALUES (?, ?)")
            contactDepartment = try db.makeStatement(sql: "INSERT INTO contact_departments (contact_id, department_id) VALUES (?, ?)")
            deal = try db.makeStatement(
                sql: "INSERT INTO deals (workspace_id, external_id, contact_id, stage_id, title, value_cents) VALUES (?, ?, ?, ?, ?, ?)")
            conversation = try db.makeStatement(
                sql: """
                INSERT INTO conversations (id, workspace_id, contact_id, contact_name, connection_id, assignee_id, department_ids,
                    tag_ids, stage_ids, status, awaiting_reply, send_failed, automated, unread_count, last_message_preview,
                    last_activity_at, created_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            conversationTag = try db.makeStatement(sql: "INSERT INTO conversation_tags (conversation_id, tag_id, last_activity_at) VALUES (?, ?, ?)")
            conversationDepartment = try db.makeStatement(
                sql: "INSERT INTO conversation_departments (conversation_id, department_id, last_activity_at) VALUES (?, ?, ?)")
            conversationStage = try db.makeStatement(
                sql: "INSERT INTO conversation_stages (conversation_id, stage_id, last_activity_at) VALUES (?, ?, ?)")
            message = try db.makeStatement(
                sql: """
                INSERT INTO messages (id, workspace_id, conversation_id, connection_id, direction, author_agent_id, author_name, text,
                    attachments, delivery_status, failure_reason, failure_dismissed, automated, client_message_id, provider_message_id,
                    created_at, conversation_version, attempts, next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """)
        }
    }

    /// One message as written, with what the store keeps beside it.
    private struct WrittenMessage {
        var message: Message
        /// The conversation version an inbound message produced (the traffic cop's yardstick).
        var conversationVersion: Int64?
        var failureDismissed = false
        var attempts = 0
    }

    private func write(_ layout: Layout, _ db: Database, progress: (String) -> Void) throws -> Report {
        let workspace = layout.workspace
        // Everything before the workspace's oldest conversation (or now), so new traffic lands on top.
        let oldest = try Int64.fetchOne(
            db, sql: "SELECT min(min(created_at), min(last_activity_at)) FROM conversations WHERE workspace_id = ?", arguments: [workspace])
        let end = min(oldest ?? Timestamp.now().milliseconds, Timestamp.now().milliseconds) - 3_600_000
        // A thread lasts at most ~2 hours (assignment ≤ 90 min, reply ≤ 30 min later).
        let lastStart = end - 3 * 3_600_000
        let firstStart = lastStart - Int64(max(days, 1)) * 86_400_000
        let step = conversations > 0 ? (lastStart - firstStart) / Int64(conversations) : 0

        var nextContact = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM contacts")) ?? 1
        var nextConversation = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM conversations")) ?? 1
        var nextMessage = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) + 1 FROM messages")) ?? 1
        let statements = try Statements(db)
        let workspaceID = WorkspaceID(workspace)
        var random = SplitMix64(seed: seed)
        var messageCount = 0
        var sequenceAdvance: Int64 = 0
        let started = monotonicNanos()

        var index = 0
        while index < conversations {
            let batchEnd = min(index + batchSize, conversations)
            try db.inTransaction {
                for number in index..<batchEnd {
                    let mix = SyntheticMix.draw(
                        &random, connections: layout.connections.count, tags: layout.tags.count,
                        departments: layout.departments.count, stages: layout.stages.count)
                    let contact = nextContact, conversationID = nextConversation
                    nextContact += 1
                    nextConversation += 1
                    let connection = layout.connections[mix.connection]
                    let name = SeedContent.name(&random)
                    let start = firstStart + Int64(number) * step + mix.jitter
                    let tags = mix.tag.map { [layout.tags[$0]] } ?? []
                    let departments = mix.department.map { [layout.departments[$0]] } ?? []
                    let stages = mix.stage.map { [layout.stages[$0]] } ?? []

                    // The lead, as a CRM upsert leaves it: handle, tags, department, deal.
                    try run(statements.contact, [contact, workspace, SeedContent.key("bulk-", contact), name, start])
                    try run(statements.handle, [contact, connection.id, SeedContent.handle(contact, name: name, kind: connection.kind)])
                    for tag in tags { try run(statements.contactTag, [contact, tag]) }
                    for department in departments { try run(statements.contactDepartment, [contact, department]) }
                    for stage in stages {
                        try run(statements.deal, [workspace, SeedContent.key("bulk-deal-", contact), contact, stage, "Oportunidade \(name)",
                                                  Int64.random(in: 50_000...2_000_000, using: &random)])
                    }

                    // The history, through the same rules the store applies at each step.
                    var conversation = Conversation(
                        id: ConversationID(conversationID), workspaceID: workspaceID, contactID: ContactID(contact), contactName: name,
                        connectionID: ConnectionID(connection.id), assigneeID: nil, departmentIDs: departments.map(DepartmentID.init),
                        tagIDs: tags.map(TagID.init), stageIDs: stages.map(StageID.init), status: .open, awaitingReply: false,
                        sendFailed: false, automated: false, unreadCount: 0, lastMessagePreview: "", lastActivityAt: Timestamp(milliseconds: start),
                        createdAt: Timestamp(milliseconds: start), version: 1)
                    var messages: [WrittenMessage] = []
                    func add(_ direction: MessageDirection, at time: Int64, author: Layout.Owner?, automated: Bool, text: String) -> Int {
                        let id = nextMessage
                        nextMessage += 1
                        let message = Message(
                            id: MessageID(id), workspaceID: workspaceID, conversationID: conversation.id, direction: direction,
                            authorAgentID: author.map { AgentID($0.id) },
                            authorName: direction == .inbound ? name : author?.name ?? SeedContent.automationName,
                            text: text, attachments: [], deliveryStatus: direction == .inbound ? .delivered : .pending, failureReason: nil,
                            automated: automated, clientMessageID: author == nil ? nil : SeedContent.key("bulk-", id),
                            providerMessageID: direction == .inbound ? SeedContent.key("bulk-", id) : nil, createdAt: Timestamp(milliseconds: time))
                        ConversationActivity.apply(message, to: &conversation)
                        messages.append(WrittenMessage(message: message, conversationVersion: direction == .inbound ? conversation.version : nil))
                        return messages.count - 1
                    }
                    /// Delivery reports on an outbound message: each one is a change of the conversation.
                    func deliver(_ position: Int, failing: Bool) {
                        messages[position].attempts = 1
                        if failing {
                            messages[position].message.deliveryStatus = .failed
                            messages[position].message.failureReason = SeedContent.pick(SeedContent.failureReasons, &random)
                            conversation.version += 1
                            ConversationActivity.refreshSendFailed(&conversation, hasUndismissedFailure: true)
                            return
                        }
                        let reports = Int.random(in: 1...3, using: &random)
                        messages[position].message.deliveryStatus = [DeliveryStatus.sent, .delivered, .read][reports - 1]
                        conversation.version += Int64(reports)
                    }

                    var time = start
                    _ = add(.inbound, at: time, author: nil, automated: false, text: SeedContent.pick(SeedContent.customerLines, &random))
                    switch mix.handling {
                    case .assigned(let ownerRoll, let reply):
                        let owners = mix.department.map { layout.ownersByDepartment[$0] } ?? layout.ownersWithoutDepartment
                        guard !owners.isEmpty else { break }
                        let owner = owners[Int(ownerRoll % UInt64(owners.count))]
                        conversation.assigneeID = AgentID(owner.id)
                        conversation.version += 1
                        time += Int64.random(in: 1...90, using: &random) * 60_000
                        if reply != .none {
                            time += Int64.random(in: 1...30, using: &random) * 60_000
                            conversation.version += 1
                            let sent = add(.outbound, at: time, author: owner, automated: false, text: SeedContent.pick(SeedContent.agentLines, &random))
                            deliver(sent, failing: reply == .failed)
                        }
                    case .automated:
                        time += Int64.random(in: 5...60, using: &random) * 1000
                        conversation.version += 1
                        let sent = add(.outbound, at: time, author: nil, automated: true, text: SeedContent.pick(SeedContent.automationLines, &random))
                        deliver(sent, failing: false)
                    case .untouched:
                        break
                    }
                    if mix.finished {
                        // Finishing dismisses failures: a reopened conversation starts clean.
                        for position in messages.indices where messages[position].message.deliveryStatus == .failed {
                            messages[position].failureDismissed = true
                        }
                        ConversationActivity.finish(&conversation)
                        conversation.version += 1
                    }

                    try run(statements.conversation, [
                        conversationID, workspace, contact, name, connection.id, conversation.assigneeID?.rawValue,
                        Self.idList(departments), Self.idList(tags), Self.idList(stages), conversation.status.rawValue,
                        conversation.awaitingReply, conversation.sendFailed, conversation.automated, conversation.unreadCount,
                        conversation.lastMessagePreview, conversation.lastActivityAt.milliseconds, conversation.createdAt.milliseconds,
                        conversation.version,
                    ])
                    let activity = conversation.lastActivityAt.milliseconds
                    for tag in tags { try run(statements.conversationTag, [conversationID, tag, activity]) }
                    for department in departments { try run(statements.conversationDepartment, [conversationID, department, activity]) }
                    for stage in stages { try run(statements.conversationStage, [conversationID, stage, activity]) }
                    for written in messages {
                        let message = written.message
                        try run(statements.message, [
                            message.id.rawValue, workspace, conversationID, connection.id, message.direction.rawValue,
                            message.authorAgentID?.rawValue, message.authorName, message.text, message.deliveryStatus.rawValue,
                            message.failureReason, written.failureDismissed, message.automated, message.clientMessageID,
                            message.providerMessageID, message.createdAt.milliseconds, written.conversationVersion, written.attempts,
                        ])
                    }
                    messageCount += messages.count
                    sequenceAdvance += conversation.version
                }
                return .commit
            }
            index = batchEnd
            let seconds = Double(monotonicNanos() - started) / 1e9
            progress(String(format: "  … %d conversations (%.0f s, %.0f/s)", index, seconds, Double(index) / max(seconds, 0.001)))
        }

        // The sequence stands for every change of the seeded history; the log, which cannot
        // replay them, is emptied so that a client resuming from before gets `resync`.
        try db.inTransaction {
            try db.execute(sql: "UPDATE workspaces SET last_sequence = last_sequence + ? WHERE id = ?", arguments: [sequenceAdvance, workspace])
            try db.execute(sql: "DELETE FROM change_log WHERE workspace_id = ?", arguments: [workspace])
            return .commit
        }
        return Report(
            workspace: workspaceID, conversations: conversations, messages: messageCount, sequenceAdvance: sequenceAdvance,
            createdAgents: 0, seconds: 0)
    }

    private func run(_ statement: Statement, _ arguments: StatementArguments) throws {
        statement.setUncheckedArguments(arguments)
        try statement.execute()
    }

    /// The store's denormalized form: sorted, comma-separated (a seeded set has at most one id).
    private static func idList(_ ids: [Int64]) -> String {
        ids.sorted().map(String.init).joined(separator: ",")
    }
}

/// What seeded customers and agents say, in the demo's language.
enum SeedContent {
    static let automationName = "Robô de boas-vindas"

    static let firstNames = [
        "Ana", "Bruno", "Carla", "Diego", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João", "Juliana", "Kleber",
        "Larissa", "Marcos", "Natália", "Otávio", "Patrícia", "Rafael", "Sabrina", "Thiago", "Vanessa", "Wesley", "Yasmin",
    ]
    static let lastNames = [
        "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
        "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias",
    ]
    static let customerLines = [
        "Oi, boa tarde! Gostaria de saber o valor do plano anual.", "Olá, vocês entregam em Belo Horizonte?",
        "Bom dia, meu pedido ainda não chegou.", "Consegue me mandar a proposta atualizada?", "Qual o prazo de implantação?",
        "Preciso da segunda via do boleto, por favor.", "Tem como parcelar em 12x?", "Não consigo acessar minha conta.",
        "Paguei ontem via Pix, já caiu?", "Oi, tudo bem? Queria falar com o comercial.",
    ]
    static let agentLines = [
        "Olá! Claro, já te envio os detalhes.", "Boa tarde! Vou verificar e já te retorno.",
        "Segue a proposta em anexo. Qualquer dúvida estou à disposição.", "Pronto, a segunda via foi enviada para o seu e-mail.",
        "Podemos agendar uma demonstração amanhã às 10h?",
    ]
    static let automationLines = [
        "Olá! 👋 Recebemos sua mensagem e em breve um atendente vai falar com você.",
        "Nosso horário de atendimento é de segunda a sexta, das 8h às 18h.",
    ]
    static let failureReasons = ["Número não possui WhatsApp", "Janela de 24 horas expirada", "Tempo limite do provedor"]

    static func pick(_ values: [String], _ random: inout SplitMix64) -> String {
        values[Int(random.next() % UInt64(values.count))]
    }

    /// `prefix` and the id zero-padded to 10 digits: keys in id order, so their unique indexes
    /// are appended to rather than split in the middle.
    static func key(_ prefix: String, _ id: Int64) -> String {
        let digits = String(id)
        return prefix + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    static func name(_ random: inout SplitMix64) -> String {
        "\(pick(firstNames, &random)) \(pick(lastNames, &random))"
    }

    /// Unique by the contact id, and in a form neither the demo (`+55 11 9…`, `@name.surname123`)
    /// nor the load customers (`+55119…`) use, so no other writer ever lands on a seeded lead.
    static func handle(_ contact: Int64, name: String, kind: String) -> String {
        if kind == "instagram" {
            return "@" + name.lowercased().split(separator: " ").joined(separator: ".") + "_\(contact)"
        }
        let digits = String(contact)
        return "+55 31 9" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
