import Foundation
import NIOHTTP1

/// The steps every scenario shares: start the worker processes, wait until their sockets are
/// connected and subscribed (timed), let the scenario drive the load, then collect the merged
/// report with its correctness checks and stop the workers whatever happened.
struct ScenarioRunner {
    let context: ScenarioContext
    let pool: WorkerPool
    /// Seconds from starting the workers until every socket was connected and subscribed.
    let connectSeconds: Double
    let readyEvents: [[String: Any]]

    static func start(_ context: ScenarioContext, sockets: [SocketPlan], template: WorkerPlan) async throws -> ScenarioRunner {
        let plans = context.options.plans(sockets: sockets, template: template)
        Console.line("starting \(plans.count) worker process(es) for \(sockets.count) sockets")
        let started = monotonicNanos()
        let pool = try WorkerPool(plans: plans, cpus: context.options.cpus)
        do {
            let ready = try await pool.waitAll("ready", timeout: .seconds(120 + sockets.count / 100))
            let seconds = Double(monotonicNanos() - started) / 1e9
            return ScenarioRunner(context: context, pool: pool, connectSeconds: seconds, readyEvents: ready)
        } catch {
            pool.stop()
            throw error
        }
    }

    /// Stops the actions, lets in-flight answers arrive, verifies every tracked list and
    /// returns the merged report.
    func finish(winsJSON: String = "{}") async throws -> WorkerReport {
        defer { pool.stop() }
        pool.send("quiet")
        _ = try await pool.waitAll("quiet", timeout: .seconds(60))
        return try await pool.reports(winsJSON: winsJSON, timeout: .seconds(120))
    }

    /// Each worker's figures so far, then counters reset (for rate sweeps).
    func mark() async throws -> WorkerReport {
        pool.send("mark")
        var merged = WorkerReport()
        for event in try await pool.waitAll("mark", timeout: .seconds(60)) {
            guard let object = event["report"], let data = try? JSONSerialization.data(withJSONObject: object) else { continue }
            merged.merge(try JSONDecoder().decode(WorkerReport.self, from: data))
        }
        return merged
    }
}
