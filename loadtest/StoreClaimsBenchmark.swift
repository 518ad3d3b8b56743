import ArgumentParser
import Foundation
import InboxCore
import InboxStore

/// The claim storm without sockets: K tasks race through the SQLite store's compare-and-set for
/// C unassigned conversations. This is the claim's own cost, the floor under `claim-storm`
/// (which adds the WebSocket round trip and the removal pushed to every other agent's list).
///
/// Each racer claims as the agent it stands for, tries the targets in its own random order and,
/// like an agent whose list updates instantly, skips conversations already won. Every round
/// first gives the targets back (unassigned), so rounds are alike.
struct StoreClaimsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-claims", abstract: "Compare-and-set claims per second on the SQLite store alone (no sockets, no pushes).")

    @Option(help: "Conversations in the synthetic workspace.") var conversations = 10_000
    @Option(help: "Racing tasks (K); they claim as the workspace's 40 agents in turn.") var racers = 1_000
    @Option(help: "Unassigned conversations raced for in each round (C).") var targets = 1_000
    @Option(help: "Rounds (each gives the targets back first).") var rounds = 5
    @Option(help: "full (fsync per commit) or normal (the server's default).") var durability = "normal"
    @Option(help: "SQLite file to build (reused if it already holds the workspace).") var database = "/tmp/switchboard-claims.sqlite"

    func validate() throws {
        guard SQLiteStore.Durability(rawValue: durability) != nil else { throw ValidationError("--durability is full or normal") }
        guard racers > 0, targets > 0, rounds > 0, targets <= conversations else {
            throw ValidationError("--racers, --targets and --rounds are positive; --targets at most --conversations")
        }
    }

    func run() async throws {
        let store = try SQLiteStore(.init(path: database, durability: SQLiteStore.Durability(rawValue: durability) ?? .normal))
        let layout = try await SyntheticWorkspace.open(store: store, database: database, conversations: conversations)
        let chosen = try await openConversations(store, layout: layout)
        Console.line("\(racers) racers, \(chosen.count) conversations per round, \(rounds) rounds, durability \(durability)")
        Console.line("round  attempts  won   conflicts  seconds  attempts/s  wins/s  claim p50 ms  p99 ms  max ms")
        var total = LatencyHistogram()
        var violations: [String] = []
        for round in 1...rounds {
            try await giveBack(chosen, store: store, layout: layout)
            let outcome = try await race(for: chosen, store: store, layout: layout)
            violations += try await check(outcome, targets: chosen, store: store, layout: layout)
            total.merge(outcome.latency)
            let attempts = Double(outcome.latency.count)
            Console.line(String(
                format: "%5d  %8d  %4d  %9d  %7.2f  %10.0f  %6.0f  %12.3f  %6.3f  %6.3f", round, Int(attempts), outcome.winners.count,
                outcome.conflicts, outcome.seconds, attempts / outcome.seconds, Double(outcome.winners.count) / outcome.seconds,
                outcome.latency.millis(at: 50), outcome.latency.millis(at: 99), outcome.latency.maxMillis))
        }
        Console.line(String(format: "all rounds: claim p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms", total.millis(at: 50), total.millis(at: 99), total.millis(at: 99.9)))
        guard violations.isEmpty else {
            for violation in violations.prefix(20) { Console.line("VIOLATION: \(violation)") }
            throw ExitCode(1)
        }
        Console.line("exactly one winner per conversation in every round (racers and store agree)")
    }

    // MARK: Setup

    /// `targets` open conversations of the workspace, the same in every round.
    private func openConversations(_ store: SQLiteStore, layout: SyntheticWorkspace.Layout) async throws -> [ConversationID] {
        var found: [ConversationID] = []
        var cursor: PageCursor?
        repeat {
            let page = try await store.listConversations(
                ConversationFilter(statuses: [.open], order: .oldest), viewer: layout.admin.viewer, after: cursor, limit: 200)
            found += page.items.map(\.id)
            cursor = page.nextCursor
        } while found.count < targets && cursor != nil
        guard found.count >= targets else { throw ValidationError("the workspace has only \(found.count) open conversations") }
        return Array(found.prefix(targets))
    }

    private func giveBack(_ targets: [ConversationID], store: SQLiteStore, layout: SyntheticWorkspace.Layout) async throws {
        for id in targets {
            _ = try await store.assign(AssignmentChange(conversationID: id, condition: AssignmentCondition(), assigneeID: nil), in: layout.workspace)
        }
    }

    // MARK: The race

    private struct RaceOutcome {
        var winners: [ConversationID: AgentID] = [:]
        var doubleWins: [ConversationID] = []
        var conflicts = 0
        var latency = LatencyHistogram()
        var seconds = 0.0
    }

    /// One racer's share, merged into the round's ``RaceOutcome``.
    private struct RacerResult: Sendable {
        var winners: [ConversationID: AgentID] = [:]
        var doubleWins: [ConversationID] = []
        var conflicts = 0
        /// Nanoseconds per attempt; a histogram per racer would cost more than the claims.
        var latencies: [UInt64] = []
    }

    private func race(for targets: [ConversationID], store: SQLiteStore, layout: SyntheticWorkspace.Layout) async throws -> RaceOutcome {
        let board = ClaimBoard()
        let agents = layout.agents
        let started = DispatchTime.now().uptimeNanoseconds
        var outcome = try await withThrowingTaskGroup(of: RacerResult.self) { group in
            for racer in 0..<racers {
                let agent = agents[racer % agents.count]
                var order = targets
                var random = SplitMix64(seed: UInt64(racer) &* 0x9E37_79B9 &+ started)
                order.shuffle(using: &random)
                group.addTask {
                    var mine = RacerResult()
                    for id in order where !board.isWon(id) {
                        let sent = DispatchTime.now().uptimeNanoseconds
                        let outcome = try await store.assign(
                            AssignmentChange(conversationID: id, condition: AssignmentCondition(assignee: .unassigned), assigneeID: agent.id),
                            in: layout.workspace)
                        mine.latencies.append(DispatchTime.now().uptimeNanoseconds - sent)
                        switch outcome {
                        case .changed:
                            if !board.markWon(id) { mine.doubleWins.append(id) }
                            mine.winners[id] = agent.id
                        case .conflict:
                            mine.conflicts += 1
                        }
                    }
                    return mine
                }
            }
            var merged = RaceOutcome()
            for try await partial in group {
                merged.winners.merge(partial.winners) { first, _ in first }
                merged.doubleWins += partial.doubleWins
                merged.conflicts += partial.conflicts
                for nanos in partial.latencies { merged.latency.record(nanos: nanos) }
            }
            return merged
        }
        outcome.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return outcome
    }

    /// Exactly one winner per target, and the store holds each target for its winner.
    private func check(_ outcome: RaceOutcome, targets: [ConversationID], store: SQLiteStore, layout: SyntheticWorkspace.Layout) async throws -> [String] {
        var violations = outcome.doubleWins.map { "conversation \($0.rawValue) won twice" }
        for id in targets {
            guard let winner = outcome.winners[id] else {
                violations.append("conversation \(id.rawValue) has no winner")
                continue
            }
            let held = try await store.conversation(id, in: layout.workspace).assigneeID
            if held != winner { violations.append("conversation \(id.rawValue): store says \(held.map { "\($0.rawValue)" } ?? "nobody"), racer \(winner.rawValue) won") }
        }
        return violations
    }
}

/// Which conversations are won: what every loser's list would show at once.
private final class ClaimBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var won: Set<ConversationID> = []

    func isWon(_ id: ConversationID) -> Bool { lock.withLock { won.contains(id) } }

    /// `false` when it was already won: a second winner.
    func markWon(_ id: ConversationID) -> Bool { lock.withLock { won.insert(id).inserted } }
}
