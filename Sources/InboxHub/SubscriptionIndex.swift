import InboxCore

/// Finds the list subscriptions a change may concern without looking at the others.
///
/// Each subscription is filed under keys chosen so that every conversation it can match carries
/// at least one of them (`Mine` under its agent, a tag filter under its tags, an agent's "All"
/// under the agent, their departments and "no department"...). A change looks up the keys of
/// the conversation before and after it, so its cost grows with the subscriptions it concerns,
/// not with all subscriptions. Candidates are then decided with ``ListChange/of(_:viewer:previous:current:)``.
public struct SubscriptionIndex<Handle: Hashable & Sendable>: Sendable {
    enum Key: Hashable, Sendable {
        case assignee(AgentID)
        case unassigned
        case connection(ConnectionID)
        case department(DepartmentID)
        case noDepartment
        case tag(TagID)
        case stage(StageID)
        case everything
    }

    private var buckets: [WorkspaceID: [Key: Set<Handle>]] = [:]

    public init() {}

    /// Files `handle` for a list of `filter` seen by `viewer`.
    public mutating func insert(_ handle: Handle, filter: ConversationFilter, viewer: Viewer) {
        for key in Self.keys(filter: filter, viewer: viewer) {
            buckets[viewer.workspaceID, default: [:]][key, default: []].insert(handle)
        }
    }

    /// Removes what ``insert(_:filter:viewer:)`` filed, given the same filter and viewer.
    public mutating func remove(_ handle: Handle, filter: ConversationFilter, viewer: Viewer) {
        for key in Self.keys(filter: filter, viewer: viewer) {
            buckets[viewer.workspaceID]?[key]?.remove(handle)
            if buckets[viewer.workspaceID]?[key]?.isEmpty == true { buckets[viewer.workspaceID]?[key] = nil }
        }
        if buckets[viewer.workspaceID]?.isEmpty == true { buckets[viewer.workspaceID] = nil }
    }

    /// The subscriptions that may be concerned by a change from `previous` to `current`.
    public func candidates(previous: Conversation?, current: Conversation) -> Set<Handle> {
        guard let workspace = buckets[current.workspaceID] else { return [] }
        var keys = Self.keys(of: current)
        if let previous { keys.formUnion(Self.keys(of: previous)) }
        var result = Set<Handle>()
        for key in keys {
            if let handles = workspace[key] { result.formUnion(handles) }
        }
        return result
    }

    /// The keys a conversation carries.
    static func keys(of conversation: Conversation) -> Set<Key> {
        var keys: Set<Key> = [.everything, .connection(conversation.connectionID)]
        keys.insert(conversation.assigneeID.map(Key.assignee) ?? .unassigned)
        if conversation.departmentIDs.isEmpty { keys.insert(.noDepartment) }
        for department in conversation.departmentIDs { keys.insert(.department(department)) }
        for tag in conversation.tagIDs { keys.insert(.tag(tag)) }
        for stage in conversation.stageIDs { keys.insert(.stage(stage)) }
        return keys
    }

    /// The most selective key set that covers every conversation the list can hold.
    static func keys(filter: ConversationFilter, viewer: Viewer) -> [Key] {
        if filter.scope == .mine { return [.assignee(viewer.agentID)] }
        if !filter.stageIDs.isEmpty { return filter.stageIDs.map(Key.stage) }
        if !filter.tagIDs.isEmpty { return filter.tagIDs.map(Key.tag) }
        if !filter.departmentIDs.isEmpty { return filter.departmentIDs.map(Key.department) }
        if !filter.connectionIDs.isEmpty { return filter.connectionIDs.map(Key.connection) }
        if filter.scope == .unassigned { return [.unassigned] }
        if !viewer.role.seesWholeWorkspace {
            return [.assignee(viewer.agentID), .noDepartment] + viewer.departmentIDs.map(Key.department)
        }
        return [.everything]
    }
}
