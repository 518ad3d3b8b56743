import Foundation

/// What the coordinator hands a worker process (as a JSON file): the sockets to open and what
/// each does. Workers never decide the load; they carry it out and report.
struct WorkerPlan: Codable, Sendable {
    enum Target: String, Codable, Sendable {
        /// Switchboard's protocol (switchboard.v1): hello, subscriptions, commands.
        case switchboard
        /// A plain topic server: every text message received is a delivery (nchan, socketify, bare).
        case topic
        /// NATS over WebSocket: CONNECT + SUB, deliveries are MSG payloads.
        case nats
    }

    var target: Target
    var host: String
    var port: Int
    /// Request path of the socket (`/ws` for Switchboard, `/sub/<topic>` for topic servers).
    var path: String
    /// Source addresses to spread sockets over (127.0.0.2 and up), each good for ~28,000 ports.
    var sourceAddresses: [String]
    /// Connections opened at most at once while connecting.
    var connectConcurrency: Int
    var sockets: [SocketPlan]
    /// Claim storm: the conversations to race for.
    var claimTargets: [Int]?
    /// Workday: per-socket action rate (actions per second per socket) and the seed.
    var actionsPerSecond: Double?
    var seed: UInt64
}

struct SocketPlan: Codable, Sendable {
    var token: String?
    var agentId: Int?
    var subscriptions: [SubscriptionPlan]
    /// Parse every message and keep the lists (checked at the end); otherwise only count
    /// deliveries and read latency markers.
    var tracked: Bool
    /// NATS subject (for `.nats`).
    var subject: String?
    /// Takes part in the claim storm / workday actions.
    var acts: Bool
    /// Agents this socket may transfer to (workday).
    var transferTargets: [Int]?
    /// Snapshot scenario: after `go`, subscribe this many times in a row (one at a time), cycling
    /// through `snapshotFilters`, timing each snapshot.
    var snapshotRounds: Int? = nil
    var snapshotFilters: [SubscriptionPlan]? = nil
    /// Milliseconds between a snapshot's arrival and the next subscribe.
    var snapshotPauseMillis: Int? = nil
}

struct SubscriptionPlan: Codable, Sendable {
    var sub: String
    /// The filter as JSON text (W3).
    var filter: String
    var pageSize: Int
    var newestFirst: Bool
}

/// What a worker reports at the end.
struct WorkerReport: Codable, Sendable {
    var connected = 0
    var connectFailures = 0
    var connectErrors: [String: Int] = [:]
    var subscribed = 0
    var disconnects: [String: Int] = [:]
    var messages = 0
    var bytes = 0
    var deliveries = 0
    var latency = LatencyHistogram()
    var subscribeLatency = LatencyHistogram()
    var claimLatency = LatencyHistogram()
    var loserUpdateLatency = LatencyHistogram()
    var actionLatency = LatencyHistogram()
    var snapshotLatency = LatencyHistogram()
    /// Application-level ping round trips on the same sockets (the snapshot scenario's floor).
    var pingLatency = LatencyHistogram()
    var claimsWon: [String: UInt64] = [:]  // conversation id → wall ns the winning claim was sent
    var claimsLost = 0
    var claimConflictsWithoutWinner = 0
    var actions: [String: Int] = [:]
    var actionErrors: [String: Int] = [:]
    var serverErrors: [String: Int] = [:]
    var violations: [String] = []
    var verifiedLists = 0

    mutating func merge(_ other: WorkerReport) {
        connected += other.connected
        connectFailures += other.connectFailures
        connectErrors.merge(other.connectErrors, uniquingKeysWith: +)
        subscribed += other.subscribed
        disconnects.merge(other.disconnects, uniquingKeysWith: +)
        messages += other.messages
        bytes += other.bytes
        deliveries += other.deliveries
        latency.merge(other.latency)
        subscribeLatency.merge(other.subscribeLatency)
        claimLatency.merge(other.claimLatency)
        loserUpdateLatency.merge(other.loserUpdateLatency)
        actionLatency.merge(other.actionLatency)
        snapshotLatency.merge(other.snapshotLatency)
        pingLatency.merge(other.pingLatency)
        for (conversation, sentAt) in other.claimsWon {
            if claimsWon[conversation] != nil { violations.append("conversation \(conversation) won by two agents") }
            claimsWon[conversation] = sentAt
        }
        claimsLost += other.claimsLost
        claimConflictsWithoutWinner += other.claimConflictsWithoutWinner
        actions.merge(other.actions, uniquingKeysWith: +)
        actionErrors.merge(other.actionErrors, uniquingKeysWith: +)
        serverErrors.merge(other.serverErrors, uniquingKeysWith: +)
        violations += other.violations
        verifiedLists += other.verifiedLists
    }
}
