/// Which conversations a list shows by assignment.
public enum ConversationScope: String, Hashable, Sendable, Codable, CaseIterable {
    /// Every conversation the viewer may see.
    case all
    /// Assigned to the viewer.
    case mine
    /// Assigned to nobody.
    case unassigned
}

/// One status chip of the seed. A filter's statuses are combined with "any of".
public enum StatusFilter: String, Hashable, Sendable, Codable, CaseIterable {
    /// Todas em aberto: status is open.
    case open
    /// Aguardando resposta: open, last message from the business.
    case awaitingReply = "awaiting_reply"
    /// Falha no envio: open, with an outbound message that failed.
    case sendFailed = "send_failed"
    /// Finalizadas.
    case finished
    /// Automações: open, latest business message sent by an automation.
    case automations

    /// Whether a conversation has this status.
    public func holds(for conversation: Conversation) -> Bool {
        let isOpen = conversation.status == .open
        switch self {
        case .open: return isOpen
        case .awaitingReply: return isOpen && conversation.awaitingReply
        case .sendFailed: return isOpen && conversation.sendFailed
        case .finished: return !isOpen
        case .automations: return isOpen && conversation.automated
        }
    }
}

/// The order of a conversation list.
public enum ConversationOrder: String, Hashable, Sendable, Codable, CaseIterable {
    /// Mais recentes: latest activity first, ties by higher id first.
    case newest
    /// Mais antigas: oldest activity first, ties by lower id first.
    case oldest
}

/// The conversation filter, defined once. The SQL stores translate exactly this, and a property
/// test holds them to it; the real-time hub matches changes with ``matches(_:viewer:)``.
///
/// Every set is "any of"; an empty set does not restrict. The visibility rule of ``Viewer``
/// always applies on top.
public struct ConversationFilter: Hashable, Sendable, Codable {
    /// Most ids one set of a filter may hold; keeps queries and subscription indexes bounded.
    public static let maxIDsPerSet = 200

    public var scope: ConversationScope
    public var statuses: Set<StatusFilter>
    public var connectionIDs: Set<ConnectionID>
    public var tagIDs: Set<TagID>
    public var stageIDs: Set<StageID>
    public var departmentIDs: Set<DepartmentID>
    public var order: ConversationOrder

    public init(
        scope: ConversationScope = .all, statuses: Set<StatusFilter> = [], connectionIDs: Set<ConnectionID> = [],
        tagIDs: Set<TagID> = [], stageIDs: Set<StageID> = [], departmentIDs: Set<DepartmentID> = [],
        order: ConversationOrder = .newest
    ) {
        self.scope = scope
        self.statuses = statuses
        self.connectionIDs = connectionIDs
        self.tagIDs = tagIDs
        self.stageIDs = stageIDs
        self.departmentIDs = departmentIDs
        self.order = order
    }

    /// Whether `conversation` belongs in this list for `viewer`.
    public func matches(_ conversation: Conversation, viewer: Viewer) -> Bool {
        guard viewer.canSee(conversation) else { return false }
        switch scope {
        case .all: break
        case .mine: guard conversation.assigneeID == viewer.agentID else { return false }
        case .unassigned: guard conversation.assigneeID == nil else { return false }
        }
        if !statuses.isEmpty, !statuses.contains(where: { $0.holds(for: conversation) }) { return false }
        if !connectionIDs.isEmpty, !connectionIDs.contains(conversation.connectionID) { return false }
        if !tagIDs.isEmpty, !conversation.tagIDs.contains(where: tagIDs.contains) { return false }
        if !stageIDs.isEmpty, !conversation.stageIDs.contains(where: stageIDs.contains) { return false }
        if !departmentIDs.isEmpty, !conversation.departmentIDs.contains(where: departmentIDs.contains) { return false }
        return true
    }

    /// The same filter with another scope; the badge counts of the three tabs use it.
    public func with(scope: ConversationScope) -> ConversationFilter {
        var copy = self
        copy.scope = scope
        return copy
    }

    /// Rejects filters too large to evaluate cheaply.
    public func validate() throws(InboxError) {
        let sizes = [
            ("connections", connectionIDs.count), ("tags", tagIDs.count),
            ("stages", stageIDs.count), ("departments", departmentIDs.count),
        ]
        for (field, size) in sizes where size > Self.maxIDsPerSet {
            throw .invalidField(field: field, reason: "at most \(Self.maxIDsPerSet) ids")
        }
    }
}
