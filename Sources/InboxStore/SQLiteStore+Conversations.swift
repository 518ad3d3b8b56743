import GRDB
import InboxCore

extension SQLiteStore {
    public func receiveInbound(_ inbound: InboundMessage, on connectionID: ConnectionID, in workspace: WorkspaceID) async throws -> MessageResult {
        let providerID = try Validation.key(inbound.providerMessageID, field: "messageId")
        let handle = try Validation.key(inbound.handle, field: "from.handle")
        let contactName = try inbound.contactName.map { try Validation.name($0, field: "from.name") }
        try Validation.messageBody(text: inbound.text, attachments: inbound.attachments)
        let receivedAt = now()
        // A provider clock ahead of ours must not pin a conversation to the top of every list.
        let sentAt = min(inbound.sentAt ?? receivedAt, receivedAt)
        return try await write(uniqueField: "messageId") { db in
            try self.requireRow("connections", id: connectionID.rawValue, workspace: workspace, entity: "connection", db)
            if let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM messages WHERE connection_id = ? AND provider_message_id = ?",
                arguments: [connectionID.rawValue, providerID]) {
                let message = try self.message(from: existing)
                let conversation = try self.loadConversation(message.conversationID, in: workspace, db)
                return MessageResult(message: message, conversation: conversation, changes: [], duplicate: true)
            }
            let contact = try self.findOrCreateContact(handle: handle, name: contactName, on: connectionID, in: workspace, at: receivedAt, db)
            var message = Message(
                id: MessageID(0), workspaceID: workspace, conversationID: ConversationID(0), direction: .inbound,
                authorAgentID: nil, authorName: contact.name, text: inbound.text, attachments: inbound.attachments,
                deliveryStatus: .delivered, failureReason: nil, automated: false, clientMessageID: nil,
                providerMessageID: providerID, createdAt: sentAt)
            let existingConversation = try Int64.fetchOne(
                db, sql: "SELECT id FROM conversations WHERE contact_id = ? AND connection_id = ?",
                arguments: [contact.id.rawValue, connectionID.rawValue])
            if let existingConversation {
                message.conversationID = ConversationID(existingConversation)
                message = try self.insertMessage(message, connection: connectionID, db)
                let facts = try self.threadFacts(message.conversationID, db)
                let (conversation, change) = try self.mutate(message.conversationID, in: workspace, kind: .messageAdded, messageID: message.id, db) {
                    let wasFinished = $0.status == .finished
                    ConversationActivity.apply(message, to: &$0)
                    if wasFinished { ConversationActivity.reopen(&$0, facts: facts) }
                }
                try self.stampInbound(message.id, version: conversation.version, db)
                return MessageResult(message: message, conversation: conversation, changes: [change], duplicate: false)
            }
            var conversation = Conversation(
                id: ConversationID(0), workspaceID: workspace, contactID: contact.id, contactName: contact.name,
                connectionID: connectionID, assigneeID: nil, departmentIDs: contact.departmentIDs, tagIDs: contact.tagIDs,
                stageIDs: try self.stagesOfDeals(of: contact.id, db), status: .open, awaitingReply: false, sendFailed: false,
                automated: false, unreadCount: 0, lastMessagePreview: "", lastActivityAt: sentAt, createdAt: receivedAt, version: 1)
            ConversationActivity.apply(message, to: &conversation)
            conversation = try self.insertConversation(conversation, db)
            message.conversationID = conversation.id
            message = try self.insertMessage(message, connection: connectionID, db)
            try self.stampInbound(message.id, version: conversation.version, db)
            let change = try self.appendChange(.created, conversation, previous: nil, messageID: message.id, db)
            return MessageResult(message: message, conversation: conversation, changes: [change], duplicate: false)
        }
    }

    public func sendOutbound(_ outbound: OutboundMessage, to id: ConversationID, in workspace: WorkspaceID) async throws -> MessageResult {
        let clientID = try outbound.clientMessageID.map { try Validation.key($0, field: "clientMessageId") }
        try Validation.messageBody(text: outbound.text, attachments: outbound.attachments)
        let sentAt = now()
        return try await write(uniqueField: "clientMessageId") { db in
            let current = try self.loadConversation(id, in: workspace, db)
            if let clientID, let existing = try Row.fetchOne(
                db, sql: "SELECT * FROM messages WHERE conversation_id = ? AND client_message_id = ?", arguments: [id.rawValue, clientID]) {
                return MessageResult(message: try self.message(from: existing), conversation: current, changes: [], duplicate: true)
            }
            if let required = outbound.requiredAssignee, current.assigneeID != required {
                throw InboxError.forbidden(reason: "claim the conversation before replying to it")
            }
            if let seen = outbound.seenVersion, let latest = try self.latestInboundVersion(id, db), latest > seen {
                throw InboxError.newerInbound(latestInboundVersion: latest)
            }
            let (authorID, authorName, automated): (AgentID?, String, Bool)
            switch outbound.author {
            case .agent(let agentID):
                let name = try String.fetchOne(
                    db, sql: "SELECT name FROM agents WHERE id = ? AND workspace_id = ? AND active = 1",
                    arguments: [agentID.rawValue, workspace.rawValue])
                guard let name else { throw InboxError.invalidReference(field: "author") }
                (authorID, authorName, automated) = (agentID, name, false)
            case .automation(let name):
                (authorID, authorName, automated) = (nil, try Validation.name(name, field: "author"), true)
            }
            let message = try self.insertMessage(
                Message(
                    id: MessageID(0), workspaceID: workspace, conversationID: id, direction: .outbound, authorAgentID: authorID,
                    authorName: authorName, text: outbound.text, attachments: outbound.attachments, deliveryStatus: .pending,
                    failureReason: nil, automated: automated, clientMessageID: clientID, providerMessageID: nil, createdAt: sentAt),
                connection: current.connectionID, db)
            try self.scheduleDelivery(message.id, through: current.connectionID, at: sentAt, db)
            let (conversation, change) = try self.mutate(id, in: workspace, kind: .messageAdded, messageID: message.id, db) {
                ConversationActivity.apply(message, to: &$0)
            }
            return MessageResult(message: message, conversation: conversation, changes: [change], duplicate: false)
        }
    }

    public func updateDelivery(_ update: DeliveryUpdate, in workspace: WorkspaceID) async throws -> MessageResult {
        let reason = try update.failureReason.map { try Validation.name($0, field: "reason") }
        let providerID = try update.providerMessageID.map { try Validation.key($0, field: "providerMessageId") }
        return try await write(uniqueField: "providerMessageId") { db in
            var message = try self.loadMessage(update.messageID, in: workspace, db)
            if let connection = update.connectionID {
                let sentThrough = try Int64.fetchOne(db, sql: "SELECT connection_id FROM messages WHERE id = ?", arguments: [message.id.rawValue])
                guard sentThrough == connection.rawValue else { throw InboxError.notFound(entity: "message") }
            }
            guard message.direction == .outbound else {
                throw InboxError.invalidField(field: "messageId", reason: "delivery status applies to outbound messages only")
            }
            guard message.deliveryStatus.accepts(update.status) else {
                let conversation = try self.loadConversation(message.conversationID, in: workspace, db)
                return MessageResult(message: message, conversation: conversation, changes: [], duplicate: true)
            }
            message.deliveryStatus = update.status
            message.failureReason = update.status == .failed ? (reason ?? "delivery failed") : nil
            message.providerMessageID = providerID ?? message.providerMessageID
            // Finishing dismisses failures, so a failure reported after the finish is dismissed
            // too: a reopened conversation starts clean, whatever order the reports came in.
            let finished = try self.loadConversation(message.conversationID, in: workspace, db).status == .finished
            try db.execute(
                sql: "UPDATE messages SET delivery_status = ?, failure_reason = ?, provider_message_id = ?, failure_dismissed = ? WHERE id = ?",
                arguments: [message.deliveryStatus.rawValue, message.failureReason, message.providerMessageID,
                            finished && update.status == .failed, message.id.rawValue])
            let hasFailure = try self.hasUndismissedFailure(message.conversationID, db)
            let (conversation, change) = try self.mutate(message.conversationID, in: workspace, kind: .messageUpdated, messageID: message.id, db) {
                ConversationActivity.refreshSendFailed(&$0, hasUndismissedFailure: hasFailure)
            }
            return MessageResult(message: message, conversation: conversation, changes: [change], duplicate: false)
        }
    }

    /// What the messages say about the conversation, for deriving its flags afresh.
    func threadFacts(_ conversation: ConversationID, _ db: Database) throws -> ThreadFacts {
        let last = try String.fetchOne(
            db, sql: "SELECT direction FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1", arguments: [conversation.rawValue])
        let lastOutboundAutomated = try Bool.fetchOne(
            db, sql: "SELECT automated FROM messages WHERE conversation_id = ? AND direction = 'outbound' ORDER BY id DESC LIMIT 1",
            arguments: [conversation.rawValue]) ?? false
        return ThreadFacts(
            lastDirection: last.flatMap(MessageDirection.init(rawValue:)), latestBusinessMessageAutomated: lastOutboundAutomated,
            hasUndismissedFailure: try hasUndismissedFailure(conversation, db))
    }

    func hasUndismissedFailure(_ conversation: ConversationID, _ db: Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ? AND delivery_status = 'failed' AND failure_dismissed = 0)",
            arguments: [conversation.rawValue]) ?? false
    }

    public func finish(_ id: ConversationID, in workspace: WorkspaceID, ifVersion: Int64?) async throws -> StoreResult<Conversation> {
        try await write { db in
            let current = try self.loadConversation(id, in: workspace, db)
            try Self.require(current, at: ifVersion)
            guard current.status == .open else { return StoreResult(value: current, changes: []) }
            // Finishing dismisses pending failures: a reopened conversation starts clean.
            try db.execute(
                sql: "UPDATE messages SET failure_dismissed = 1 WHERE conversation_id = ? AND delivery_status = 'failed'",
                arguments: [id.rawValue])
            let (conversation, change) = try self.mutate(id, in: workspace, kind: .finished, db) { ConversationActivity.finish(&$0) }
            return StoreResult(value: conversation, changes: [change])
        }
    }

    public func reopen(_ id: ConversationID, in workspace: WorkspaceID, ifVersion: Int64?) async throws -> StoreResult<Conversation> {
        try await write { db in
            let current = try self.loadConversation(id, in: workspace, db)
            try Self.require(current, at: ifVersion)
            guard current.status == .finished else { return StoreResult(value: current, changes: []) }
            let facts = try self.threadFacts(id, db)
            let (conversation, change) = try self.mutate(id, in: workspace, kind: .reopened, db) { ConversationActivity.reopen(&$0, facts: facts) }
            return StoreResult(value: conversation, changes: [change])
        }
    }

    public func markRead(_ id: ConversationID, in workspace: WorkspaceID) async throws -> StoreResult<Conversation> {
        try await write { db in
            let current = try self.loadConversation(id, in: workspace, db)
            guard current.unreadCount > 0 else { return StoreResult(value: current, changes: []) }
            let (conversation, change) = try self.mutate(id, in: workspace, kind: .read, db) { $0.unreadCount = 0 }
            return StoreResult(value: conversation, changes: [change])
        }
    }

    public func conversation(_ id: ConversationID, in workspace: WorkspaceID) async throws -> Conversation {
        try await read { db in try self.loadConversation(id, in: workspace, db) }
    }

    public func thread(_ id: ConversationID, in workspace: WorkspaceID, messageLimit: Int) async throws -> (conversation: Conversation, messages: [Message], sequence: Int64) {
        try await read { db in
            let sequence = try Int64.fetchOne(db, sql: "SELECT last_sequence FROM workspaces WHERE id = ?", arguments: [workspace.rawValue]) ?? 0
            let conversation = try self.loadConversation(id, in: workspace, db)
            let messages = try Row.fetchAll(
                db, sql: "SELECT * FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT ?", arguments: [id.rawValue, max(1, messageLimit)]
            ).map { try self.message(from: $0) }
            return (conversation, messages, sequence)
        }
    }

    public func messages(ids: [MessageID], in workspace: WorkspaceID) async throws -> [Message] {
        guard !ids.isEmpty else { return [] }
        let unique = Array(Set(ids))
        return try await read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM messages WHERE workspace_id = ? AND id IN (\(databaseQuestionMarks(count: unique.count)))",
                arguments: StatementArguments([workspace.rawValue] + unique.map(\.rawValue))
            ).map { try self.message(from: $0) }
        }
    }

    public func messages(of id: ConversationID, in workspace: WorkspaceID, before: MessageID?, limit: Int) async throws -> [Message] {
        try await read { db in
            _ = try self.loadConversation(id, in: workspace, db)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                arguments: [id.rawValue, before?.rawValue ?? Int64.max, max(1, limit)])
                .map { try self.message(from: $0) }
        }
    }
}
