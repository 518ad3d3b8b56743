import InboxCore

/// The storage seam. SQLite (``SQLiteStore``) is the embedded default; a PostgreSQL store
/// shared by several server processes implements the same contract, and the contract tests run
/// over both.
///
/// Every method is scoped to a workspace: an id of another workspace behaves exactly like an
/// id that does not exist (``InboxError/notFound(entity:)``). Every write that changes a
/// conversation bumps its version and appends to the workspace's change log in the same
/// transaction, and returns the appended entries.
public protocol InboxStore: Sendable {
    // MARK: Workspaces
    func createWorkspace(name: String, slug: String) async throws -> Workspace
    func workspace(_ id: WorkspaceID) async throws -> Workspace
    func workspace(slug: String) async throws -> Workspace?
    func workspaces() async throws -> [Workspace]

    // MARK: Agents and sessions
    func createAgent(_ draft: AgentDraft, in workspace: WorkspaceID) async throws -> Agent
    func updateAgent(_ id: AgentID, in workspace: WorkspaceID, with patch: AgentPatch) async throws -> Agent
    func agent(_ id: AgentID, in workspace: WorkspaceID) async throws -> Agent
    func agents(in workspace: WorkspaceID) async throws -> [Agent]
    /// Active and inactive agents with this email, across workspaces (login picks one).
    func credentials(email: String) async throws -> [AgentCredentials]
    func createSession(_ session: SessionRecord) async throws
    /// The session with this token hash, if it exists (expired and revoked ones included).
    func session(tokenHash: String) async throws -> SessionRecord?
    func revokeSession(tokenHash: String) async throws
    func revokeSessions(of agent: AgentID) async throws

    // MARK: Directory
    func createDepartment(name: String, in workspace: WorkspaceID) async throws -> Department
    func updateDepartment(_ id: DepartmentID, in workspace: WorkspaceID, name: String?, active: Bool?) async throws -> Department
    func departments(in workspace: WorkspaceID) async throws -> [Department]
    func createTag(name: String, color: String, in workspace: WorkspaceID) async throws -> Tag
    func updateTag(_ id: TagID, in workspace: WorkspaceID, name: String?, color: String?, active: Bool?) async throws -> Tag
    func tags(in workspace: WorkspaceID) async throws -> [Tag]
    /// Creates a connection whose inbound calls authenticate with the secret of this hash.
    func createConnection(kind: ConnectionKind, name: String, secretHash: String, in workspace: WorkspaceID) async throws -> Connection
    func updateConnection(_ id: ConnectionID, in workspace: WorkspaceID, with patch: ConnectionPatch) async throws -> Connection
    func connection(_ id: ConnectionID, in workspace: WorkspaceID) async throws -> Connection
    /// The connection and its secret hash, for authenticating inbound calls (no workspace yet).
    func connectionCredentials(_ id: ConnectionID) async throws -> (Connection, secretHash: String)?
    func connections(in workspace: WorkspaceID) async throws -> [Connection]
    func createPipeline(name: String, stageNames: [String], in workspace: WorkspaceID) async throws -> Pipeline
    func updatePipeline(_ id: PipelineID, in workspace: WorkspaceID, name: String?, active: Bool?) async throws -> Pipeline
    func addStage(name: String, position: Int?, to pipeline: PipelineID, in workspace: WorkspaceID) async throws -> Pipeline
    func updateStage(_ id: StageID, in workspace: WorkspaceID, name: String?, position: Int?, active: Bool?) async throws -> Pipeline
    func pipelines(in workspace: WorkspaceID) async throws -> [Pipeline]

    // MARK: Leads (pushed by the CRM)
    /// Creates or updates the contact with `upsert.externalID`, and reflects its name, tags and
    /// departments on all of its conversations at once.
    func upsertContact(_ upsert: ContactUpsert, in workspace: WorkspaceID) async throws -> StoreResult<Contact>
    func contact(_ id: ContactID, in workspace: WorkspaceID) async throws -> Contact
    /// Creates or updates the deal with `upsert.externalID`; the stages of the lead's deals are
    /// reflected on all of its conversations.
    func upsertDeal(_ upsert: DealUpsert, in workspace: WorkspaceID) async throws -> StoreResult<Deal>
    func deals(of contact: ContactID, in workspace: WorkspaceID) async throws -> [Deal]
    /// Adds (`present`) or removes a tag on the lead, reflected on all of its conversations.
    func setLeadTag(_ tag: TagID, present: Bool, on contact: ContactID, in workspace: WorkspaceID) async throws -> StoreResult<Contact>
    /// Moves the lead's deals in the stage's pipeline to the stage, opening a deal in it when the
    /// lead has none there; reflected on all of its conversations.
    func moveLead(_ contact: ContactID, to stage: StageID, in workspace: WorkspaceID) async throws -> StoreResult<[Deal]>

    // MARK: Conversations
    /// Appends a customer's message: finds or creates the contact (by handle on the connection)
    /// and its conversation on that connection, reopening it if finished. Idempotent on the
    /// provider's message id.
    func receiveInbound(_ inbound: InboundMessage, on connection: ConnectionID, in workspace: WorkspaceID) async throws -> MessageResult
    /// Appends a business-side message. Idempotent on the client message id per conversation.
    func sendOutbound(_ outbound: OutboundMessage, to conversation: ConversationID, in workspace: WorkspaceID) async throws -> MessageResult
    /// Records a delivery status reported for an outbound message.
    func updateDelivery(_ update: DeliveryUpdate, in workspace: WorkspaceID) async throws -> MessageResult
    /// The single compare-and-set through which every assignee or department change goes.
    func assign(_ change: AssignmentChange, in workspace: WorkspaceID) async throws -> AssignmentOutcome
    /// Finishes an open conversation (a finished one is returned unchanged, with no change).
    /// With `ifVersion`, applies only if the conversation is still at that version, else
    /// throws ``InboxError/conflict(reason:)``.
    func finish(_ id: ConversationID, in workspace: WorkspaceID, ifVersion: Int64?) async throws -> StoreResult<Conversation>
    func reopen(_ id: ConversationID, in workspace: WorkspaceID, ifVersion: Int64?) async throws -> StoreResult<Conversation>
    /// Sends a failed outbound message again: pending, failure cleared, due for its adapter now.
    func resendMessage(_ id: MessageID, in workspace: WorkspaceID) async throws -> MessageResult
    /// Dismisses a failed outbound message: it no longer marks the conversation "send failed".
    func dismissFailure(_ id: MessageID, in workspace: WorkspaceID) async throws -> MessageResult
    func markRead(_ id: ConversationID, in workspace: WorkspaceID) async throws -> StoreResult<Conversation>
    func conversation(_ id: ConversationID, in workspace: WorkspaceID) async throws -> Conversation
    /// One page of the conversations matching `filter` that `viewer` may see, in the filter's
    /// order; with `includeTotal`, also their exact number, read in the same transaction.
    func listConversations(
        _ filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor?, limit: Int, includeTotal: Bool
    ) async throws -> ConversationPage
    /// The exact number of conversations matching `filter` that `viewer` may see.
    func countConversations(_ filter: ConversationFilter, viewer: Viewer) async throws -> Int
    /// Messages of a conversation, newest first, strictly older than `before` when given.
    func messages(of conversation: ConversationID, in workspace: WorkspaceID, before: MessageID?, limit: Int) async throws -> [Message]
    /// A conversation, its newest messages (newest first) and the change-log sequence both are
    /// consistent with, read in one transaction.
    func thread(_ id: ConversationID, in workspace: WorkspaceID, messageLimit: Int) async throws -> (conversation: Conversation, messages: [Message], sequence: Int64)
    /// The messages with these ids in the workspace (missing ids are left out).
    func messages(ids: [MessageID], in workspace: WorkspaceID) async throws -> [Message]

    // MARK: Outbound delivery
    /// Leases up to `limit` pending outbound messages due by `now` to their adapters: each
    /// counts an attempt and is not due again before `leaseUntil`, so a crash mid-delivery
    /// retries it and two dispatchers never send it at once.
    func leaseDeliveries(dueBy now: Timestamp, leaseUntil: Timestamp, limit: Int) async throws -> [PendingDelivery]
    /// Makes a leased message due again at `at` (a transient failure's backoff), unless it was
    /// leased again since `ifAttempt` (a resend, or a lease that ran out): then that lease rules.
    func rescheduleDelivery(_ id: MessageID, in workspace: WorkspaceID, at: Timestamp, ifAttempt: Int?) async throws

    // MARK: Automations and runs
    func createAutomation(_ draft: AutomationDraft, in workspace: WorkspaceID) async throws -> Automation
    func updateAutomation(_ id: AutomationID, in workspace: WorkspaceID, with draft: AutomationDraft) async throws -> Automation
    func automation(_ id: AutomationID, in workspace: WorkspaceID) async throws -> Automation
    func automations(in workspace: WorkspaceID) async throws -> [Automation]
    /// Active automations with this trigger.
    func automations(triggeredBy kind: AutomationTriggerKind, in workspace: WorkspaceID) async throws -> [Automation]
    /// Records a new run; with an idempotency key already used by the agent, returns that run
    /// instead (`existing` true) and records nothing.
    func beginRun(_ draft: RunDraft, in workspace: WorkspaceID) async throws -> (run: ActionRun, existing: Bool)
    /// The agent's run started with this idempotency key, if any (without items).
    func run(idempotencyKey: String, of agent: AgentID, in workspace: WorkspaceID) async throws -> ActionRun?
    /// Appends outcomes to a running run.
    func recordRunItems(_ items: [RunItem], of run: RunID, in workspace: WorkspaceID) async throws
    func finishRun(_ id: RunID, in workspace: WorkspaceID) async throws -> ActionRun
    /// A run with its items.
    func run(_ id: RunID, in workspace: WorkspaceID) async throws -> ActionRun
    /// An automation's runs, newest first, without items.
    func runs(of automation: AutomationID, in workspace: WorkspaceID, limit: Int) async throws -> [ActionRun]
    /// Runs left `running` by a stopped server: each is finished as it stands.
    func finishAbandonedRuns() async throws -> Int

    // MARK: Change log
    /// The workspace's latest sequence number (0 before any change).
    func latestSequence(in workspace: WorkspaceID) async throws -> Int64
    /// Entries with a sequence greater than `sequence`, oldest first.
    func changes(in workspace: WorkspaceID, after sequence: Int64, limit: Int) async throws -> [ChangeLogEntry]
    /// The oldest sequence still in the log (entries before it were pruned); `nil` when empty.
    func oldestSequence(in workspace: WorkspaceID) async throws -> Int64?
    /// Calls `observer` after each commit that appended to a workspace's change log; the
    /// real-time hub then reads the new entries in order. (PostgreSQL: LISTEN/NOTIFY.)
    func observeCommits(_ observer: @escaping @Sendable (WorkspaceID) -> Void)
    /// Deletes entries older than `olderThan`, always keeping the newest `keepAtLeast` per workspace.
    func pruneChangeLog(olderThan: Timestamp, keepAtLeast: Int) async throws -> Int

    // MARK: Maintenance
    /// Refreshes the query planner's statistics, so plans follow the data as it grows.
    func refreshPlannerStatistics() async throws
}

extension InboxStore {
    public func rescheduleDelivery(_ id: MessageID, in workspace: WorkspaceID, at time: Timestamp) async throws {
        try await rescheduleDelivery(id, in: workspace, at: time, ifAttempt: nil)
    }

    public func finish(_ id: ConversationID, in workspace: WorkspaceID) async throws -> StoreResult<Conversation> {
        try await finish(id, in: workspace, ifVersion: nil)
    }

    public func reopen(_ id: ConversationID, in workspace: WorkspaceID) async throws -> StoreResult<Conversation> {
        try await reopen(id, in: workspace, ifVersion: nil)
    }

    /// One page, without the total.
    public func listConversations(_ filter: ConversationFilter, viewer: Viewer, after cursor: PageCursor?, limit: Int) async throws -> ConversationPage {
        try await listConversations(filter, viewer: viewer, after: cursor, limit: limit, includeTotal: false)
    }
}

/// What a conversation-changing write produced: its value and the change-log entries it appended.
public struct StoreResult<Value: Sendable>: Sendable {
    public var value: Value
    public var changes: [ChangeLogEntry]

    public init(value: Value, changes: [ChangeLogEntry]) {
        self.value = value
        self.changes = changes
    }
}

/// The outcome of appending or updating a message.
public struct MessageResult: Sendable {
    public var message: Message
    public var conversation: Conversation
    public var changes: [ChangeLogEntry]
    /// True when an idempotency key matched an earlier message, which is returned unchanged.
    public var duplicate: Bool

    public init(message: Message, conversation: Conversation, changes: [ChangeLogEntry], duplicate: Bool) {
        self.message = message
        self.conversation = conversation
        self.changes = changes
        self.duplicate = duplicate
    }
}

/// The answer of the assignment compare-and-set.
public enum AssignmentOutcome: Sendable {
    /// The change applied.
    case changed(StoreResult<Conversation>)
    /// The condition did not hold; `current` is the conversation as it is now.
    case conflict(AssignmentConflict, current: Conversation)
}
