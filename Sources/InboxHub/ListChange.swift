import InboxCore

/// Why a conversation left a list.
public enum RemovalReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// It was finished and the list shows open conversations only.
    case finished
    /// Its assignee changed (claimed, released, transferred) and the list no longer takes it.
    case reassigned
    /// It changed otherwise (status, tags, stage, department, connection) and no longer matches.
    case filterMismatch = "filter_mismatch"
    /// The viewer may no longer see it (moved to a department they are not in).
    case notVisible = "not_visible"
}

/// What one change means for one list.
public enum ListChange: Hashable, Sendable {
    /// It entered the list (+1 to the total).
    case entered
    /// It was in the list and still is; its content or place changed.
    case updated
    /// It left the list (-1 to the total).
    case left(RemovalReason)

    /// How the list's total moves.
    public var totalDelta: Int {
        switch self {
        case .entered: 1
        case .updated: 0
        case .left: -1
        }
    }

    /// The change of a list of `filter` seen by `viewer` when a conversation went from
    /// `previous` (nil: it did not exist) to `current`; `nil` when the list is not concerned.
    /// Uses the one filter definition of InboxCore, exactly as the stores' SQL does.
    public static func of(
        _ filter: ConversationFilter, viewer: Viewer, previous: Conversation?, current: Conversation
    ) -> ListChange? {
        let before = previous.map { filter.matches($0, viewer: viewer) } ?? false
        let after = filter.matches(current, viewer: viewer)
        switch (before, after) {
        case (false, false): return nil
        case (false, true): return .entered
        case (true, true): return .updated
        case (true, false): return .left(reason(previous: previous!, current: current, viewer: viewer))
        }
    }

    private static func reason(previous: Conversation, current: Conversation, viewer: Viewer) -> RemovalReason {
        // Lost visibility counts only when the move itself hides it: losing a conversation one
        // saw only as its assignee, through a transfer, is a reassignment.
        var sameAssignee = current
        sameAssignee.assigneeID = previous.assigneeID
        if !viewer.canSee(sameAssignee) { return .notVisible }
        if previous.status == .open, current.status == .finished { return .finished }
        if previous.assigneeID != current.assigneeID { return .reassigned }
        return .filterMismatch
    }
}
