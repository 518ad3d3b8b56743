import InboxCore

/// Who is looking at which conversation, and who is typing in it (collision detection).
/// Typing expires by itself unless renewed.
struct ThreadWatchers {
    struct Viewer: Equatable {
        var agentID: AgentID
        var name: String
        var typingUntil: Timestamp?
    }

    /// How long one `typing` message keeps an agent marked as typing.
    static let typingMilliseconds: Int64 = 6_000

    /// conversation → session → viewer.
    private(set) var watchers: [ConversationID: [Int: Viewer]] = [:]

    func sessions(watching conversation: ConversationID) -> [Int] { watchers[conversation].map { Array($0.keys) } ?? [] }

    func isWatching(_ session: Int, _ conversation: ConversationID) -> Bool { watchers[conversation]?[session] != nil }

    mutating func open(_ conversation: ConversationID, session: Int, agent: Agent) {
        watchers[conversation, default: [:]][session] = Viewer(agentID: agent.id, name: agent.name, typingUntil: nil)
    }

    /// Returns whether anything changed.
    @discardableResult
    mutating func close(_ conversation: ConversationID, session: Int) -> Bool {
        guard watchers[conversation]?.removeValue(forKey: session) != nil else { return false }
        if watchers[conversation]?.isEmpty == true { watchers[conversation] = nil }
        return true
    }

    /// The conversations the session watched, which it no longer does.
    mutating func closeAll(session: Int) -> [ConversationID] {
        let watched = watchers.compactMap { $0.value[session] != nil ? $0.key : nil }
        for conversation in watched { close(conversation, session: session) }
        return watched
    }

    /// Marks the session's agent typing; returns whether they were not typing before.
    mutating func typing(_ conversation: ConversationID, session: Int, now: Timestamp) -> Bool {
        guard var viewer = watchers[conversation]?[session] else { return false }
        let wasTyping = viewer.typingUntil.map { $0 > now } ?? false
        viewer.typingUntil = now.adding(milliseconds: Self.typingMilliseconds)
        watchers[conversation]?[session] = viewer
        return !wasTyping
    }

    /// Clears expired typing marks; returns the conversations whose viewers changed.
    mutating func expireTyping(now: Timestamp) -> [ConversationID] {
        var changed: [ConversationID] = []
        for (conversation, sessions) in watchers {
            for (session, viewer) in sessions where viewer.typingUntil.map({ $0 <= now }) ?? false {
                watchers[conversation]?[session]?.typingUntil = nil
                changed.append(conversation)
            }
        }
        return Array(Set(changed))
    }

    /// One entry per agent (an agent with two tabs open counts once), sorted by name.
    func viewers(of conversation: ConversationID, now: Timestamp) -> [ViewerPayload] {
        var byAgent: [AgentID: ViewerPayload] = [:]
        for viewer in (watchers[conversation] ?? [:]).values {
            let typing = viewer.typingUntil.map { $0 > now } ?? false
            let current = byAgent[viewer.agentID]
            byAgent[viewer.agentID] = ViewerPayload(agentID: viewer.agentID, name: viewer.name, typing: typing || (current?.typing ?? false))
        }
        return byAgent.values.sorted { ($0.name, $0.agentID) < ($1.name, $1.agentID) }
    }
}

struct ViewerPayload: Codable, Equatable {
    var agentID: AgentID
    var name: String
    var typing: Bool
}

/// An agent's availability.
enum PresenceStatus: String, Codable {
    case online, away, offline
}

/// Per workspace, each connected agent's sessions and what each says (online or away). An agent
/// is online when any session is, away when all are away, offline with none.
struct PresenceBoard {
    private var sessions: [WorkspaceID: [AgentID: [Int: PresenceStatus]]] = [:]
    /// Per agent, how many of its sessions say online: an agent's status is then O(1) however
    /// many tabs it has open (a load test opens thousands per account).
    private var onlineSessions: [WorkspaceID: [AgentID: Int]] = [:]

    func status(of agent: AgentID, in workspace: WorkspaceID) -> PresenceStatus {
        guard let statuses = sessions[workspace]?[agent], !statuses.isEmpty else { return .offline }
        return onlineSessions[workspace]?[agent] ?? 0 > 0 ? .online : .away
    }

    /// Sets one session's status; returns the agent's status before and after.
    mutating func set(_ status: PresenceStatus?, session: Int, agent: AgentID, workspace: WorkspaceID) -> (PresenceStatus, PresenceStatus) {
        let before = self.status(of: agent, in: workspace)
        let old = sessions[workspace]?[agent]?[session]
        sessions[workspace, default: [:]][agent, default: [:]][session] = status
        let delta = (status == .online ? 1 : 0) - (old == .online ? 1 : 0)
        if delta != 0 { onlineSessions[workspace, default: [:]][agent, default: 0] += delta }
        if sessions[workspace]?[agent]?.isEmpty == true {
            sessions[workspace]?[agent] = nil
            onlineSessions[workspace]?[agent] = nil
        }
        return (before, self.status(of: agent, in: workspace))
    }

    /// Everyone connected in the workspace, with their status.
    func connected(in workspace: WorkspaceID) -> [AgentID: PresenceStatus] {
        var result: [AgentID: PresenceStatus] = [:]
        for agent in (sessions[workspace] ?? [:]).keys { result[agent] = status(of: agent, in: workspace) }
        return result
    }

    /// Presence follows departments: admins and supervisors see everyone's and are seen by
    /// everyone; an agent sees agents who share a department with them.
    static func canSee(_ viewer: Agent, presenceOf subject: Agent) -> Bool {
        guard viewer.workspaceID == subject.workspaceID else { return false }
        if viewer.role.seesWholeWorkspace || subject.role.seesWholeWorkspace || viewer.id == subject.id { return true }
        return !Set(viewer.departmentIDs).isDisjoint(with: subject.departmentIDs)
    }
}
