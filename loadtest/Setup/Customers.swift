import Foundation
import InboxCore
import NIOHTTP1

/// Simulated customers writing through the `loadtest` connection's inbound API (§11.1). Each
/// message carries a latency marker, so subscribers can time its arrival.
struct Customers: Sendable {
    let workspace: LoadWorkspace
    let run: String

    init(workspace: LoadWorkspace) {
        self.workspace = workspace
        self.run = String(UInt32.random(in: .min ... .max), radix: 36)
    }

    func handle(_ number: Int) -> String { "+55119\(run)\(number)" }

    /// Creates `count` leads (CRM upserts with random tags, department, and a deal at a random
    /// stage for most), each with an open conversation from a first inbound message, so that
    /// filter mixes of tags, stages and departments have something to match.
    /// `departments: false` leaves every lead without departments, so every agent sees them all.
    func seed(count: Int, seed: UInt64, departments: Bool = true) async throws -> [String] {
        var generator = SplitMix64(seed: seed)
        var plans: [(handle: String, contact: Data, deal: Data?)] = []
        for number in 0..<count {
            var body: [String: Any] = [
                "externalId": "lt-\(run)-\(number)", "name": "Cliente \(number)",
                "handles": [["connectionId": workspace.connectionId, "handle": handle(number)]],
            ]
            if !workspace.tagIds.isEmpty { body["tagIds"] = Array(workspace.tagIds.shuffled(using: &generator).prefix(generator.int(0...2))) }
            if departments, !workspace.departmentIds.isEmpty, generator.chance(0.6) { body["departmentIds"] = [generator.pick(workspace.departmentIds)] }
            let stage = !workspace.stageIds.isEmpty && generator.chance(0.6) ? generator.pick(workspace.stageIds) : nil
            let deal = try stage.map {
                try JSONSerialization.data(withJSONObject: [
                    "externalId": "deal-lt-\(run)-\(number)", "contactExternalId": "lt-\(run)-\(number)", "stageId": $0, "title": "Plano",
                ] as [String: Any])
            }
            plans.append((handle(number), try JSONSerialization.data(withJSONObject: body), deal))
        }
        let api = workspace.api, token = workspace.adminToken
        try await forEachConcurrently(plans, limit: 16) { plan in
            try await api.call(.PUT, "/api/v1/contacts", token: token, json: plan.contact)
            if let deal = plan.deal { try await api.call(.PUT, "/api/v1/deals", token: token, json: deal) }
            try await write(handle: plan.handle, text: "Olá, quero saber mais")
        }
        return plans.map(\.handle)
    }

    /// One inbound message; returns the conversation it went to.
    func writeReturningConversation(handle: String, text: String) async throws -> Int {
        let answer = try await writeAnswer(handle: handle, text: text)
        guard let id = (answer["conversation"] as? [String: Any])?["id"] as? Int else { throw LoadTestFailure("inbound answer without a conversation") }
        return id
    }

    /// One inbound message; the text gets the latency marker in front.
    func write(handle: String, text: String) async throws {
        _ = try await writeAnswer(handle: handle, text: text)
    }

    private func writeAnswer(handle: String, text: String) async throws -> [String: Any] {
        let body: [String: Any] = [
            "messageId": "lt-\(UUID().uuidString)", "from": ["handle": handle, "name": "Cliente"],
            "text": "\(latencyMarker()) \(text)",
        ]
        return try await workspace.api.call(.POST, "/api/v1/connections/\(workspace.connectionId)/inbound", token: workspace.connectionSecret, body: body)
    }

    /// Writes `rate` messages per second for `seconds`, spread over `handles`; returns how many
    /// were accepted and the failures by error.
    func stream(rate: Double, seconds: Double, handles: [String], concurrency: Int = 48) async -> (sent: Int, errors: [String: Int]) {
        let total = Int(rate * seconds)
        return await paced(total: total, rate: rate, concurrency: concurrency) { number in
            try await write(handle: handles[number % handles.count], text: "mensagem \(number)")
        }
    }
}

/// Runs `body(i)` for i in 0..<total at `rate` per second, at most `concurrency` at once, and
/// counts outcomes. Late starts are not skipped: the schedule catches up as fast as it can.
func paced(total: Int, rate: Double, concurrency: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async -> (sent: Int, errors: [String: Int]) {
    let start = monotonicNanos()
    var sent = 0
    var errors: [String: Int] = [:]
    await withTaskGroup(of: String?.self) { group in
        var inFlight = 0
        func record(_ outcome: String??) {
            guard let outcome else { return }
            if let failure = outcome { errors[failure, default: 0] += 1 } else { sent += 1 }
        }
        for number in 0..<total {
            let due = start + UInt64(Double(number) / rate * 1e9)
            let now = monotonicNanos()
            if due > now { try? await Task.sleep(nanoseconds: due - now) }
            if inFlight >= concurrency {
                record(await group.next())
                inFlight -= 1
            }
            group.addTask {
                do { try await body(number); return nil } catch let failure as ServerAPI.Failure {
                    return "\(failure.status) \(failure.code ?? "")"
                } catch { return String("\(error)".prefix(60)) }
            }
            inFlight += 1
        }
        while let outcome = await group.next() { record(outcome) }
    }
    return (sent, errors)
}

/// Runs `body` for every element, at most `limit` at once; the first failure is thrown.
func forEachConcurrently<T: Sendable>(_ elements: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var iterator = elements.makeIterator()
        for _ in 0..<limit { if let next = iterator.next() { group.addTask { try await body(next) } } }
        while try await group.next() != nil {
            if let next = iterator.next() { group.addTask { try await body(next) } }
        }
    }
}
