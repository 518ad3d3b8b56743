import InboxCore

/// What the filter and the list order read of a conversation, and nothing else: the index keeps
/// this per conversation, never names, previews or counters.
struct ConversationFacts: Sendable {
    var id: ConversationID
    var assigneeID: AgentID?
    var connectionID: ConnectionID
    var departmentIDs: [DepartmentID]
    var tagIDs: [TagID]
    var stageIDs: [StageID]
    var isOpen: Bool
    var awaitingReply: Bool
    var sendFailed: Bool
    var automated: Bool
    var lastActivityAt: Timestamp

    init(_ conversation: Conversation) {
        self.init(
            id: conversation.id, assigneeID: conversation.assigneeID, connectionID: conversation.connectionID,
            departmentIDs: conversation.departmentIDs, tagIDs: conversation.tagIDs, stageIDs: conversation.stageIDs,
            isOpen: conversation.status == .open, awaitingReply: conversation.awaitingReply, sendFailed: conversation.sendFailed,
            automated: conversation.automated, lastActivityAt: conversation.lastActivityAt)
    }

    init(
        id: ConversationID, assigneeID: AgentID?, connectionID: ConnectionID, departmentIDs: [DepartmentID], tagIDs: [TagID],
        stageIDs: [StageID], isOpen: Bool, awaitingReply: Bool, sendFailed: Bool, automated: Bool, lastActivityAt: Timestamp
    ) {
        self.id = id
        self.assigneeID = assigneeID
        self.connectionID = connectionID
        self.departmentIDs = departmentIDs
        self.tagIDs = tagIDs
        self.stageIDs = stageIDs
        self.isOpen = isOpen
        self.awaitingReply = awaitingReply
        self.sendFailed = sendFailed
        self.automated = automated
        self.lastActivityAt = lastActivityAt
    }
}

/// One workspace's conversations as bitmaps over slots (a slot per conversation, given in
/// arrival order and never reused), exact as of ``sequence`` of the workspace's change log.
///
/// ``matching(_:viewer:)`` evaluates ``ConversationFilter/matches(_:viewer:)`` for every
/// conversation at once: each any-of set is a union of member bitmaps, the filter the
/// intersection of its sets. So an exact count costs a few passes over `conversations / 64`
/// words whatever the filter, and a sparse filter's first page is found without walking the
/// list order. A property test holds it to the in-memory predicate and to the SQL.
struct WorkspaceFilterIndex: Sendable {
    private(set) var sequence: Int64

    private var slots: [ConversationID: Int] = [:]
    private var ids: [ConversationID] = []
    private var activity: [Timestamp] = []
    private var assignees: [AgentID?] = []
    private var connections: [ConnectionID] = []

    private var live = SlotBitmap()
    private var open = SlotBitmap()
    private var finished = SlotBitmap()
    private var awaitingReply = SlotBitmap()
    private var sendFailed = SlotBitmap()
    private var automated = SlotBitmap()
    private var unassigned = SlotBitmap()
    private var withoutDepartment = SlotBitmap()
    private var byAssignee: [AgentID: SlotBitmap] = [:]
    private var byConnection: [ConnectionID: SlotBitmap] = [:]
    private var byTag: [TagID: SlotBitmap] = [:]
    private var byStage: [StageID: SlotBitmap] = [:]
    private var byDepartment: [DepartmentID: SlotBitmap] = [:]

    init(sequence: Int64) {
        self.sequence = sequence
    }

    var conversationCount: Int { ids.count }

    /// The slot of a conversation, if it is indexed. Slots are permanent.
    func slot(of id: ConversationID) -> Int? { slots[id] }

    // MARK: Changes

    /// Records `facts` as the conversation's current state.
    mutating func upsert(_ facts: ConversationFacts) {
        let slot: Int
        if let existing = slots[facts.id] {
            slot = existing
            clear(slot)
        } else {
            slot = ids.count
            slots[facts.id] = slot
            ids.append(facts.id)
            activity.append(facts.lastActivityAt)
            assignees.append(nil)
            connections.append(facts.connectionID)
        }
        activity[slot] = facts.lastActivityAt
        assignees[slot] = facts.assigneeID
        connections[slot] = facts.connectionID
        live.insert(slot)
        if facts.isOpen {
            open.insert(slot)
            if facts.awaitingReply { awaitingReply.insert(slot) }
            if facts.sendFailed { sendFailed.insert(slot) }
            if facts.automated { automated.insert(slot) }
        } else {
            finished.insert(slot)
        }
        if let assignee = facts.assigneeID { byAssignee[assignee, default: SlotBitmap()].insert(slot) } else { unassigned.insert(slot) }
        byConnection[facts.connectionID, default: SlotBitmap()].insert(slot)
        for tag in facts.tagIDs { byTag[tag, default: SlotBitmap()].insert(slot) }
        for stage in facts.stageIDs { byStage[stage, default: SlotBitmap()].insert(slot) }
        for department in facts.departmentIDs { byDepartment[department, default: SlotBitmap()].insert(slot) }
        if facts.departmentIDs.isEmpty { withoutDepartment.insert(slot) }
    }

    /// Applies the state at `newSequence` of every conversation that changed after `base`
    /// (`changed`), when the index stands between the two. The states may cover changes the
    /// index already has: applying a conversation's latest state again changes nothing.
    mutating func catchUp(from base: Int64, to newSequence: Int64, changed: [ConversationFacts]) {
        guard sequence >= base, sequence < newSequence else { return }
        for facts in changed { upsert(facts) }
        sequence = newSequence
    }

    /// Takes a slot out of every bitmap. Membership sets are cleared member by member: a
    /// workspace has tens to hundreds of tags, stages and departments, and keeping each slot's
    /// own lists would cost more memory than the bitmaps.
    private mutating func clear(_ slot: Int) {
        open.remove(slot)
        finished.remove(slot)
        awaitingReply.remove(slot)
        sendFailed.remove(slot)
        automated.remove(slot)
        unassigned.remove(slot)
        withoutDepartment.remove(slot)
        if let assignee = assignees[slot] { byAssignee[assignee]?.remove(slot) }
        byConnection[connections[slot]]?.remove(slot)
        for key in byTag.keys { byTag[key]!.remove(slot) }
        for key in byStage.keys { byStage[key]!.remove(slot) }
        for key in byDepartment.keys { byDepartment[key]!.remove(slot) }
    }

    // MARK: Queries

    /// The slots of every conversation `filter` matches for `viewer` (whose workspace is this one).
    func matching(_ filter: ConversationFilter, viewer: Viewer) -> SlotBitmap {
        var result = statusSlots(filter.statuses)
        if !viewer.role.seesWholeWorkspace {
            var visible = withoutDepartment
            visible.formUnion(byAssignee[viewer.agentID] ?? SlotBitmap())
            visible.formUnion(Self.union(byDepartment, viewer.departmentIDs))
            result.formIntersection(visible)
        }
        switch filter.scope {
        case .all: break
        case .mine: result.formIntersection(byAssignee[viewer.agentID] ?? SlotBitmap())
        case .unassigned: result.formIntersection(unassigned)
        }
        if !filter.connectionIDs.isEmpty { result.formIntersection(Self.union(byConnection, filter.connectionIDs)) }
        if !filter.tagIDs.isEmpty { result.formIntersection(Self.union(byTag, filter.tagIDs)) }
        if !filter.stageIDs.isEmpty { result.formIntersection(Self.union(byStage, filter.stageIDs)) }
        if !filter.departmentIDs.isEmpty { result.formIntersection(Self.union(byDepartment, filter.departmentIDs)) }
        return result
    }

    /// Mirrors ``StatusFilter/holds(for:)``: the flags count only while open.
    private func statusSlots(_ statuses: Set<StatusFilter>) -> SlotBitmap {
        if statuses.isEmpty || statuses.isSuperset(of: [.open, .finished]) { return live }
        var result = SlotBitmap()
        if statuses.contains(.open) {
            result = open
        } else {
            if statuses.contains(.awaitingReply) { result.formUnion(awaitingReply) }
            if statuses.contains(.sendFailed) { result.formUnion(sendFailed) }
            if statuses.contains(.automations) { result.formUnion(automated) }
        }
        if statuses.contains(.finished) { result.formUnion(finished) }
        return result
    }

    private static func union<Member: Hashable>(_ bitmaps: [Member: SlotBitmap], _ members: Set<Member>) -> SlotBitmap {
        if members.count == 1, let only = members.first { return bitmaps[only] ?? SlotBitmap() }
        var result = SlotBitmap()
        for member in members { if let bitmap = bitmaps[member] { result.formUnion(bitmap) } }
        return result
    }

    /// The first `count` conversations of `slots` in list `order` after `cursor`, in order.
    func first(_ count: Int, of slots: SlotBitmap, order: ConversationOrder, after cursor: ConversationSortKey?) -> [ConversationID] {
        guard count > 0 else { return [] }
        var best: [ConversationSortKey] = []
        best.reserveCapacity(count + 1)
        slots.forEach { slot in
            let key = ConversationSortKey(lastActivityAt: activity[slot], id: ids[slot])
            if let cursor, !cursor.precedes(key, in: order) { return }
            if best.count == count, let last = best.last, !key.precedes(last, in: order) { return }
            // Binary search for the insertion point keeps `best` ordered.
            var low = 0, high = best.count
            while low < high {
                let middle = (low + high) / 2
                if best[middle].precedes(key, in: order) { low = middle + 1 } else { high = middle }
            }
            best.insert(key, at: low)
            if best.count > count { best.removeLast() }
        }
        return best.map(\.id)
    }
}
