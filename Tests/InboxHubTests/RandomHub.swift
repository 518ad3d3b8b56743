import InboxCore

/// Random conversations, viewers, filters and changes over small id pools, so that filters,
/// visibility and index keys collide often. Both workspaces share the id pools on purpose: an
/// index that forgot the workspace would then hand out the other workspace's subscriptions.
enum RandomHub {
    static let workspaces = [WorkspaceID(1), WorkspaceID(2)]
    static let agents = (1...5).map { AgentID(Int64($0)) }
    static let departments = (1...4).map { DepartmentID(Int64($0)) }
    static let tags = (1...4).map { TagID(Int64($0)) }
    static let stages = (1...4).map { StageID(Int64($0)) }
    static let connections = (1...3).map { ConnectionID(Int64($0)) }

    static func conversation(_ rng: inout SplitMix64, id: Int64) -> Conversation {
        var conversation = Conversation(
            id: ConversationID(id), workspaceID: rng.pick(workspaces), contactID: ContactID(id), contactName: "c\(id)",
            connectionID: rng.pick(connections), assigneeID: nil, departmentIDs: [], tagIDs: [], stageIDs: [],
            status: .open, awaitingReply: false, sendFailed: false, automated: false, unreadCount: 0,
            lastMessagePreview: "", lastActivityAt: Timestamp(milliseconds: Int64(rng.int(0...1_000))),
            createdAt: Timestamp(milliseconds: 0), version: 1)
        assignee(&rng, &conversation)
        conversation.departmentIDs = rng.subset(departments, 0.3)
        conversation.tagIDs = rng.subset(tags)
        conversation.stageIDs = rng.subset(stages)
        status(&rng, &conversation)
        return conversation
    }

    /// A change of `previous`: one to three of assignee, departments, tags, stages, status and
    /// flags, connection. Id and workspace stay.
    static func mutation(_ rng: inout SplitMix64, of previous: Conversation) -> Conversation {
        var current = previous
        for _ in 0..<rng.int(1...3) {
            switch rng.int(0...5) {
            case 0: assignee(&rng, &current)
            case 1: current.departmentIDs = rng.subset(departments, 0.3)
            case 2: current.tagIDs = rng.subset(tags)
            case 3: current.stageIDs = rng.subset(stages)
            case 4: status(&rng, &current)
            default: current.connectionID = rng.pick(connections)
            }
        }
        current.lastActivityAt = current.lastActivityAt.adding(milliseconds: Int64(rng.int(0...10)))
        current.version += 1
        return current
    }

    static func viewer(_ rng: inout SplitMix64) -> Viewer {
        Viewer(
            agentID: rng.pick(agents), workspaceID: rng.pick(workspaces), role: rng.pick(Role.allCases),
            departmentIDs: Set(rng.subset(departments)))
    }

    static func filter(_ rng: inout SplitMix64) -> ConversationFilter {
        ConversationFilter(
            scope: rng.pick(ConversationScope.allCases),
            statuses: Set(rng.chance(0.5) ? [] : rng.subset(StatusFilter.allCases, 0.3)),
            connectionIDs: Set(rng.chance(0.7) ? [] : rng.subset(connections)),
            tagIDs: Set(rng.chance(0.6) ? [] : rng.subset(tags)),
            stageIDs: Set(rng.chance(0.7) ? [] : rng.subset(stages)),
            departmentIDs: Set(rng.chance(0.6) ? [] : rng.subset(departments)),
            order: rng.pick(ConversationOrder.allCases))
    }

    private static func assignee(_ rng: inout SplitMix64, _ conversation: inout Conversation) {
        conversation.assigneeID = rng.chance(0.3) ? nil : rng.pick(agents)
    }

    /// A status with flags consistent with it: a finished conversation holds no open-only flag.
    private static func status(_ rng: inout SplitMix64, _ conversation: inout Conversation) {
        if rng.chance(0.3) {
            ConversationActivity.finish(&conversation)
        } else {
            conversation.status = .open
            conversation.awaitingReply = rng.chance(0.5)
            conversation.sendFailed = rng.chance(0.3)
            conversation.automated = rng.chance(0.3)
        }
    }
}

/// One live list: a handle, its filter and the viewer it is for.
struct Subscription {
    var handle: Int
    var filter: ConversationFilter
    var viewer: Viewer
}
