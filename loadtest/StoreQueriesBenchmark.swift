import ArgumentParser
import Foundation
import InboxCore
import InboxStore

/// List-page and count query times on a large workspace, for every filter of the seed.
struct StoreQueriesBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-queries", abstract: "Time list pages (first and deep) and exact counts on the SQLite store.")

    @Option(help: "Conversations in the synthetic workspace.") var conversations = 100_000
    @Option(help: "Timed repetitions of each query.") var iterations = 300
    @Option(help: "SQLite file to build (reused if it already holds the workspace).") var database = "/tmp/switchboard-bench.sqlite"
    @Flag(help: "Print the query plan of each list query.") var explain = false
    @Flag(help: "Build the database and stop (measure later on an idle machine).") var seedOnly = false
    @Option(help: "How the store answers: automatic (filter index + SQL), filterIndex, sqlOnly (before the index).")
    var planning: String = "automatic"

    func run() async throws {
        guard let chosen = SQLiteStore.QueryPlanning(rawValue: planning) else {
            throw ValidationError("--planning: one of \(SQLiteStore.QueryPlanning.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let store = try SQLiteStore(.init(path: database, durability: .normal, planning: chosen))
        let layout = try await SyntheticWorkspace.open(store: store, database: database, conversations: conversations)
        if seedOnly { return }
        try await store.refreshPlannerStatistics()
        let admin = layout.admin.viewer
        let agent = layout.agents[0].viewer
        // The first query of a workspace loads its filter index: timed on its own.
        let residentBefore = Self.residentMegabytes()
        let loadStarted = DispatchTime.now().uptimeNanoseconds
        _ = try await store.countConversations(ConversationFilter(), viewer: admin)
        let loadMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - loadStarted) / 1e6
        Console.line(String(
            format: "planning %@; first query (loads the filter index): %.1f ms, resident memory %.1f → %.1f MB",
            chosen.rawValue, loadMilliseconds, residentBefore, Self.residentMegabytes()))
        let cases: [(String, ConversationFilter, Viewer)] = [
            ("all, newest (admin)", ConversationFilter(), admin),
            ("all open, oldest (admin)", ConversationFilter(statuses: [.open], order: .oldest), admin),
            ("mine, open (agent)", ConversationFilter(scope: .mine, statuses: [.open]), agent),
            ("unassigned, open (agent)", ConversationFilter(scope: .unassigned, statuses: [.open]), agent),
            ("all visible (agent)", ConversationFilter(), agent),
            ("awaiting reply", ConversationFilter(statuses: [.awaitingReply]), admin),
            ("send failed", ConversationFilter(statuses: [.sendFailed]), admin),
            ("finished", ConversationFilter(statuses: [.finished]), admin),
            ("automations", ConversationFilter(statuses: [.automations]), admin),
            ("one connection", ConversationFilter(connectionIDs: [layout.connections[0]]), admin),
            ("one tag", ConversationFilter(tagIDs: [layout.tags[0]]), admin),
            ("one stage", ConversationFilter(stageIDs: [layout.stages[2]]), admin),
            ("one department", ConversationFilter(departmentIDs: [layout.departments[1]]), admin),
            ("tag + stage + open", ConversationFilter(statuses: [.open], tagIDs: [layout.tags[1]], stageIDs: [layout.stages[0]]), admin),
        ]
        Console.line("")
        Console.line(pad("filter", 28) + pad("matches", 9) + pad("page p50", 10) + pad("page p99", 10) + pad("deep p50", 10) + pad("deep p99", 10) + pad("count p50", 11) + "count p99")
        for (name, filter, viewer) in cases {
            let total = try await store.countConversations(filter, viewer: viewer)
            let first = try await store.listConversations(filter, viewer: viewer, after: nil, limit: 50)
            // A cursor about halfway down the list: what an agent scrolling far sends.
            var deepCursor = first.nextCursor
            for _ in 0..<min(20, total / 100) {
                guard let cursor = deepCursor else { break }
                deepCursor = try await store.listConversations(filter, viewer: viewer, after: cursor, limit: 50).nextCursor
            }
            let page = try await time { _ = try await store.listConversations(filter, viewer: viewer, after: nil, limit: 50) }
            let deep = try await time { _ = try await store.listConversations(filter, viewer: viewer, after: deepCursor, limit: 50) }
            let count = try await time { _ = try await store.countConversations(filter, viewer: viewer) }
            Console.line(pad(name, 28) + pad("\(total)", 9) + pad(ms(page, 0.5), 10) + pad(ms(page, 0.99), 10) + pad(ms(deep, 0.5), 10)
                + pad(ms(deep, 0.99), 10) + pad(ms(count, 0.5), 11) + ms(count, 0.99))
            if explain { for line in try await store.explainList(filter, viewer: viewer) { print("    plan: \(line)") } }
        }
    }

    /// Wall-clock durations in seconds of `iterations` runs after a short warm-up, sorted.
    private func time(_ body: () async throws -> Void) async throws -> [Double] {
        for _ in 0..<10 { try await body() }
        var samples: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try await body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return samples.sorted()
    }

    private func ms(_ sorted: [Double], _ quantile: Double) -> String {
        String(format: "%.3f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * quantile))] * 1000)
    }

    /// This process's resident memory, from /proc (Linux).
    private static func residentMegabytes() -> Double {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }

    private func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
}
