import CoreMetrics
import HTTPTypes
import InboxCore
import InboxStore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Watches every open WebSocket from one task, once a second: closes connections whose write
/// has been blocked past the deadline or whose queue overflowed (slow consumers), and re-checks
/// each connection's login session every `sessionCheckSeconds`.
///
/// One task for all connections rather than a timer per connection: 19,000 idle sockets each
/// waking every second cost a fifth of a core before a single message moved. Session re-checks
/// are spread over the period by login and made once per login, not once per socket, since
/// many tabs share one login.
final class ConnectionSupervisor<Store: InboxStore>: Service, Sendable {
    private struct Watched {
        let session: ClientSession
        let channel: any Channel
        /// The tick a queue overflow was first seen; the channel is cut two ticks later.
        var overflowSeenAt: Int?
    }

    private let watched = Mutex<[Int: Watched]>([:])
    private let sessions: SessionResolver<Store>
    private let configuration: RealtimeConfiguration
    private let metrics: InboxMetrics
    private let logger: Logger

    init(sessions: SessionResolver<Store>, configuration: RealtimeConfiguration, metrics: InboxMetrics, logger: Logger) {
        self.sessions = sessions
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
    }

    func watch(_ session: ClientSession, channel: any Channel) {
        watched.withLock { $0[session.id] = Watched(session: session, channel: channel) }
    }

    func forget(_ session: ClientSession) {
        _ = watched.withLock { $0.removeValue(forKey: session.id) }
    }

    func run() async throws {
        var tick = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            } catch {
                return
            }
            tick += 1
            closeSlowConsumers(tick: tick)
            await recheckSessions(tick: tick)
        }
    }

    /// A write blocked past the deadline closes at once; an overflowed queue closes after two
    /// seconds, in which the writer may still get the close frame out.
    func closeSlowConsumers(tick: Int) {
        let cut: [Watched] = watched.withLock { watched in
            var cut: [Watched] = []
            for (id, entry) in watched {
                if entry.session.blockedWriteSeconds > configuration.writeDeadlineSeconds {
                    entry.session.close(.slowConsumer, reason: "a write was blocked over \(configuration.writeDeadlineSeconds) s")
                    cut.append(entry)
                    watched[id] = nil
                } else if entry.session.closing?.code == .slowConsumer {
                    if let seen = entry.overflowSeenAt {
                        if tick - seen >= 2 {
                            cut.append(entry)
                            watched[id] = nil
                        }
                    } else {
                        watched[id]?.overflowSeenAt = tick
                    }
                }
            }
            return cut
        }
        for entry in cut {
            metrics.slowConsumerCloses.increment()
            logger.info("closing slow consumer", metadata: ["session": "\(entry.session.id)", "reason": "\(entry.session.closing?.reason ?? "")"])
            entry.channel.close(mode: .all, promise: nil)
        }
    }

    /// Each connection's login is looked up again once per period: subscriptions were matched
    /// with the agent as it was at connection time.
    func recheckSessions(tick: Int) async {
        let period = max(1, configuration.sessionCheckSeconds)
        // A login's sockets are checked together, in the tick its token hash falls on.
        let due = watched.withLock { watched in
            watched.values.map(\.session).filter { session in
                guard let tokenHash = session.tokenHash, session.closing == nil else { return false }
                return Self.slot(of: tokenHash, period: period) == tick % period
            }
        }
        for (tokenHash, group) in Dictionary(grouping: due, by: { $0.tokenHash! }) {
            do {
                let current = try await sessions.agent(tokenHash: tokenHash)
                for session in group where current.role != session.agent.role || Set(current.departmentIDs) != Set(session.agent.departmentIDs) {
                    session.close(.permissionsChanged, reason: "your role or departments changed; reconnect and subscribe afresh")
                }
            } catch let error as APIError where error.status == .unauthorized {
                for session in group { session.close(.sessionEnded, reason: "the session ended; log in again") }
            } catch {
                logger.warning("session re-check failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// A stable tick within the period for a token hash: a hash of its bytes that, unlike
    /// `hashValue`, is the same in every run.
    static func slot(of tokenHash: String, period: Int) -> Int {
        tokenHash.utf8.reduce(0) { ($0 &* 31 &+ Int($1)) & 0x3fff_ffff } % period
    }
}
