import HTTPTypes
import InboxCore
import InboxStore
import Logging

/// What to act on: listed ids, or every conversation matching a filter (evaluated once, when
/// the run starts, with the starter's visibility).
enum BulkSelection: Sendable {
    case ids([ConversationID])
    case filter(ConversationFilter)
}

/// A bulk request as an agent submits it.
struct BulkRequest: Sendable {
    var idempotencyKey: String
    var action: BulkAction
    var selection: BulkSelection
}

/// The seed's selection mode: finish, transfer or run a manual automation on many
/// conversations. Each conversation is applied on its own, through the same commands (and so
/// the same compare-and-set and rules) as a single action; the run records every outcome,
/// reports progress to the starter's sockets, and an idempotency key makes a resubmission
/// return the first run instead of starting another.
struct BulkRunner<Store: InboxStore>: Sendable {
    let store: Store
    let commands: ConversationCommands<Store>
    let automations: AutomationRunner<Store>
    let hub: RealtimeHub<Store>
    let logger: Logger

    /// Runs of one agent going on at once; more is `429 too_many_runs` until one ends.
    let running = RunningRuns(limitPerAgent: 3)

    static var maxSelection: Int { 5_000 }
    /// Outcomes recorded and reported together.
    static var chunkSize: Int { 25 }

    /// Validates and records the run, then processes it in the background. Returns the run as
    /// started (or the earlier run with the same key, `existing`).
    func start(_ request: BulkRequest, by agent: Agent) async throws -> (run: ActionRun, existing: Bool) {
        try request.action.validate()
        // A resubmission gets the first run back, whatever changed since (it must not fail
        // validation or selection that held the first time).
        if let earlier = try await store.run(idempotencyKey: request.idempotencyKey, of: agent.id, in: agent.workspaceID) {
            return (earlier, true)
        }
        let automation = try await manualAutomation(request.action, in: agent.workspaceID)
        _ = try await commands.transferTarget(
            agent: request.action.agentID, department: request.action.departmentID, in: agent.workspaceID, fieldPrefix: "action.")
        let ids = try await select(request.selection, for: agent)
        let draft = RunDraft(
            agentID: agent.id, idempotencyKey: request.idempotencyKey, action: request.action,
            trigger: automation == nil ? nil : .manual, conversationIDs: ids)
        guard await running.enter(agent.id) else {
            throw APIError(.tooManyRequests, "too_many_runs", "at most \(running.limitPerAgent) bulk runs of yours at once; wait for one to finish")
        }
        let begun: (run: ActionRun, existing: Bool)
        do {
            begun = try await store.beginRun(draft, in: agent.workspaceID)
        } catch {
            await running.leave(agent.id)
            throw error
        }
        guard !begun.existing else {
            await running.leave(agent.id)
            return begun
        }
        Task {
            await process(begun.run, ids: ids, automation: automation, agent: agent)
            await running.leave(agent.id)
        }
        return begun
    }

    private func manualAutomation(_ action: BulkAction, in workspace: WorkspaceID) async throws -> Automation? {
        guard let id = action.automationID else { return nil }
        let automation: Automation
        do {
            automation = try await store.automation(id, in: workspace)
        } catch InboxError.notFound {
            throw InboxError.invalidReference(field: "action.automationId")
        }
        guard automation.active, automation.trigger.kind == .manual else {
            throw InboxError.invalidField(field: "action.automationId", reason: "only an active automation with a manual trigger runs on a selection")
        }
        return automation
    }

    /// The conversation ids, de-duplicated in order, at most ``maxSelection``.
    private func select(_ selection: BulkSelection, for agent: Agent) async throws -> [ConversationID] {
        switch selection {
        case .ids(let ids):
            var seen = Set<ConversationID>()
            let unique = ids.filter { seen.insert($0).inserted }
            guard (1...Self.maxSelection).contains(unique.count) else {
                throw APIError(.unprocessableContent, "invalid_field", "select 1 to \(Self.maxSelection) conversations", field: "conversationIds")
            }
            return unique
        case .filter(let filter):
            var ids: [ConversationID] = []
            var cursor: PageCursor?
            repeat {
                // Pages of 200: the most a store lists at once (a larger page was refused, so every
                // bulk by filter answered 422 `limit`).
                let page = try await store.listConversations(filter, viewer: agent.viewer, after: cursor, limit: 200)
                ids += page.items.map(\.id)
                cursor = page.nextCursor
                guard ids.count <= Self.maxSelection else {
                    throw APIError(.unprocessableContent, "selection_too_large", "the filter matches more than \(Self.maxSelection) conversations; narrow it", field: "filter")
                }
            } while cursor != nil
            return ids
        }
    }

    private func process(_ run: ActionRun, ids: [ConversationID], automation: Automation?, agent: Agent) async {
        let workspace = agent.workspaceID
        var counts: [RunOutcome: Int] = [:]
        do {
            for chunkStart in stride(from: 0, to: ids.count, by: Self.chunkSize) {
                var items: [RunItem] = []
                for id in ids[chunkStart..<min(chunkStart + Self.chunkSize, ids.count)] {
                    let item = await apply(run, to: id, automation: automation, agent: agent)
                    counts[item.outcome, default: 0] += 1
                    items.append(item)
                }
                try await store.recordRunItems(items, of: run.id, in: workspace)
                var progress = run
                progress.counts = counts
                await hub.send(toAgent: agent.id, in: workspace, ServerMessage.encode(ServerMessage.RunProgress(run: progress)))
            }
        } catch {
            logger.error("bulk run failed", metadata: ["run": "\(run.id)", "error": "\(error)"])
        }
        // Finished as it stands even after a failure, so that its starter hears the end.
        _ = try? await store.finishRun(run.id, in: workspace)
        if let done = try? await store.run(run.id, in: workspace) {
            await hub.send(toAgent: agent.id, in: workspace, ServerMessage.encode(ServerMessage.RunDone(run: done)))
        }
    }

    /// One conversation: the same command an agent would send, its outcome recorded.
    private func apply(_ run: ActionRun, to id: ConversationID, automation: Automation?, agent: Agent) async -> RunItem {
        do {
            switch run.action.type {
            case .finish:
                let outcome = try await commands.finish(id, by: agent, version: nil)
                return RunItem(conversationID: id, outcome: outcome.sequence == nil ? .skipped : .done, reason: outcome.sequence == nil ? "not_open" : nil)
            case .transfer:
                _ = try await commands.transfer(id, by: agent, toAgent: run.action.agentID, department: run.action.departmentID, version: nil)
                return RunItem(conversationID: id, outcome: .done)
            case .automation:
                guard let automation else { return RunItem(conversationID: id, outcome: .failed, reason: "invalid_reference") }
                let current = try await commands.visible(id, to: agent)
                // An agent's selection reaches what an agent may act on: their own and unassigned
                // conversations, never a colleague's (the automation may finish or transfer it).
                if agent.role == .agent, let holder = current.assigneeID, holder != agent.id {
                    return RunItem(conversationID: id, outcome: .forbidden, reason: "forbidden")
                }
                let holder: AssignmentCondition.Assignee = agent.role != .agent ? .any : (current.assigneeID == nil ? .unassigned : .agent(agent.id))
                return await automations.apply(automation, to: id, run: run.id, startedBy: agent, holder: holder)
            }
        } catch {
            return AutomationRunner<Store>.item(for: error, conversation: id)
        }
    }
}

/// How many runs each agent has going, bounded so that one client cannot start unbounded work.
actor RunningRuns {
    nonisolated let limitPerAgent: Int
    private var counts: [AgentID: Int] = [:]

    init(limitPerAgent: Int) { self.limitPerAgent = limitPerAgent }

    func enter(_ agent: AgentID) -> Bool {
        guard counts[agent, default: 0] < limitPerAgent else { return false }
        counts[agent, default: 0] += 1
        return true
    }

    func leave(_ agent: AgentID) {
        let remaining = counts[agent, default: 1] - 1
        counts[agent] = remaining > 0 ? remaining : nil
    }
}
