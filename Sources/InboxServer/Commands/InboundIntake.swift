import InboxCore
import InboxStore
import Logging

/// Where every customer message enters, from a connection's webhook or the sandbox: stored,
/// then the automations it triggers (new conversation, keyword) run on it, each recorded.
struct InboundIntake<Store: InboxStore>: Sendable {
    let store: Store
    let automations: AutomationRunner<Store>
    let logger: Logger

    func receive(_ inbound: InboundMessage, on connection: ConnectionID, in workspace: WorkspaceID) async throws -> MessageResult {
        let result = try await store.receiveInbound(inbound, on: connection, in: workspace)
        guard !result.duplicate else { return result }
        let created = result.changes.contains { $0.kind == .created }
        // Triggers run after the answer: the provider's webhook never waits on them.
        Task { await runTriggers(for: result, created: created) }
        return result
    }

    /// Runs the automations the message triggers, in creation order, each as a recorded run.
    func runTriggers(for result: MessageResult, created: Bool) async {
        let workspace = result.conversation.workspaceID
        do {
            var fired: [(Automation, AutomationTriggerKind)] = []
            if created {
                fired += try await store.automations(triggeredBy: .newConversation, in: workspace).map { ($0, .newConversation) }
            }
            fired += try await store.automations(triggeredBy: .keyword, in: workspace)
                .filter { $0.trigger.matches(inboundText: result.message.text) }.map { ($0, .keyword) }
            for (automation, trigger) in fired {
                let draft = RunDraft(
                    agentID: nil, idempotencyKey: nil, action: BulkAction(type: .automation, automationID: automation.id),
                    trigger: trigger, conversationIDs: [result.conversation.id])
                let (run, _) = try await store.beginRun(draft, in: workspace)
                let item = await automations.apply(automation, to: result.conversation.id, run: run.id, startedBy: nil)
                try await store.recordRunItems([item], of: run.id, in: workspace)
                _ = try await store.finishRun(run.id, in: workspace)
            }
        } catch {
            logger.error("automation trigger failed", metadata: ["conversation": "\(result.conversation.id)", "error": "\(error)"])
        }
    }
}
