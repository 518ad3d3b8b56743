import HTTPTypes
import InboxCore
import InboxStore

/// Turns what commands throw into the documented answers. A lost compare-and-set answers
/// `conflict` with the reason and the state that won, naming the current assignee, so a
/// claimer who lost can say at once who took the conversation.
enum CommandErrors {
    static func apiError<Store: InboxStore>(_ error: any Error, store: Store, workspace: WorkspaceID) async -> APIError {
        switch error {
        case let conflict as CommandConflict:
            let current = conflict.current
            var assignee: ErrorDetails.AgentRef?
            if let id = current.assigneeID {
                let name = (try? await store.agent(id, in: workspace).name) ?? ""
                assignee = ErrorDetails.AgentRef(id: id, name: name)
            }
            var answer = APIError(.conflict, "conflict", conflictMessage(conflict.reason, assignee: assignee))
            answer.details = ErrorDetails(reason: conflict.reason, conversationID: current.id, version: current.version, assignee: assignee)
            return answer
        case InboxError.newerInbound(let version):
            var answer = APIError(InboxError.newerInbound(latestInboundVersion: version))
            answer.details = ErrorDetails(latestInboundVersion: version)
            return answer
        default:
            return RealtimeHub<Store>.apiError(error)
        }
    }

    private static func conflictMessage(_ reason: String, assignee: ErrorDetails.AgentRef?) -> String {
        switch AssignmentConflict(rawValue: reason) {
        case .assigneeChanged:
            if let assignee { return "\(assignee.name) has this conversation" }
            return "this conversation is no longer assigned as you expected"
        case .versionChanged: return "the conversation changed since you looked; look again"
        case .notOpen: return "the conversation is finished"
        case .capacityReached: return "the agent already holds as many open conversations as allowed"
        case nil: return "the conversation changed since you looked; look again"
        }
    }
}
