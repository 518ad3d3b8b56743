import Foundation

/// A scenario's results: rows for people, the same figures as JSON for machines, and the
/// correctness violations that make the run fail.
struct ScenarioResult {
    let scenario: String
    private(set) var rows: [(String, String)] = []
    var json: [String: Any] = [:]
    var violations: [String] = []

    init(scenario: String) {
        self.scenario = scenario
        json["scenario"] = scenario
    }

    mutating func add(_ label: String, _ key: String, _ value: Any, unit: String = "") {
        json[key] = value
        let text: String
        switch value {
        case let double as Double: text = String(format: double >= 100 ? "%.0f" : "%.2f", double)
        default: text = "\(value)"
        }
        rows.append((label, unit.isEmpty ? text : "\(text) \(unit)"))
    }

    mutating func addLatency(_ label: String, _ key: String, _ histogram: LatencyHistogram) {
        let summary = histogram.summary
        json[key] = ["count": summary.count, "p50": summary.p50, "p90": summary.p90, "p99": summary.p99, "p999": summary.p999, "max": summary.max]
        guard summary.count > 0 else { rows.append((label, "no samples")); return }
        rows.append((label, String(format: "p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (%llu samples)",
                                   summary.p50, summary.p90, summary.p99, summary.p999, summary.max, summary.count)))
    }

    /// Server-side readings: /proc figures and the /metrics deltas of the run.
    mutating func addServer(before: ServerProbe.Reading?, after: ServerProbe.Reading?, metricsBefore: MetricsSnapshot?, metricsAfter: MetricsSnapshot?, connections: Int) {
        if let before, let after {
            add("server CPU (share of one core)", "serverCpuCores", ServerProbe.coreShare(from: before, to: after))
            add("server RSS", "serverRssMiB", Double(after.rssBytes) / 1_048_576, unit: "MiB")
            if connections > 0 {
                add("server RSS growth per connection", "rssPerConnectionKiB", Double(after.rssBytes - before.rssBytes) / 1024 / Double(connections), unit: "KiB")
            }
        }
        guard let metricsBefore, let metricsAfter else { return }
        func delta(_ name: String) -> Double { metricsAfter.sum(name) - metricsBefore.sum(name) }
        add("/metrics connections (now)", "metricsConnections", Int(metricsAfter.value("switchboard_connections")))
        add("/metrics subscriptions (now)", "metricsSubscriptions", Int(metricsAfter.value("switchboard_subscriptions")))
        add("/metrics deliveries (run)", "metricsDeliveries", Int(delta("switchboard_deliveries_total")))
        add("/metrics claims won / conflict (run)", "metricsClaims",
            "\(Int(metricsAfter.value(#"switchboard_claims_total{outcome="won"}"#) - metricsBefore.value(#"switchboard_claims_total{outcome="won"}"#))) / \(Int(metricsAfter.value(#"switchboard_claims_total{outcome="conflict"}"#) - metricsBefore.value(#"switchboard_claims_total{outcome="conflict"}"#)))")
        add("/metrics slow-consumer closes (run)", "metricsSlowConsumerCloses", Int(delta("switchboard_slow_consumer_closes_total")))
        let pushes = delta("switchboard_change_to_push_seconds_count")
        if pushes > 0 {
            add("/metrics change-to-push mean", "metricsChangeToPushMeanMs", delta("switchboard_change_to_push_seconds_sum") / pushes * 1000, unit: "ms")
            if let p99 = metricsAfter.histogramQuantile("switchboard_change_to_push_seconds", 0.99, since: metricsBefore) {
                add("/metrics change-to-push p99 (bucket bound)", "metricsChangeToPushP99Ms", p99 * 1000, unit: "ms")
            }
        }
    }

    mutating func addWorkerFigures(_ report: WorkerReport, seconds: Double) {
        add("sockets connected / failed", "connected", "\(report.connected) / \(report.connectFailures)")
        if !report.connectErrors.isEmpty { add("connect errors", "connectErrors", report.connectErrors.description) }
        add("disconnects during the run", "disconnects", report.disconnects.values.reduce(0, +))
        if !report.disconnects.isEmpty { json["disconnectCodes"] = report.disconnects }
        add("messages / bytes received", "messagesReceived", "\(report.messages) / \(report.bytes)")
        add("deliveries", "deliveries", report.deliveries)
        if seconds > 0 { add("deliveries per second", "deliveriesPerSecond", Double(report.deliveries) / seconds) }
        if !report.serverErrors.isEmpty { add("error frames", "serverErrors", report.serverErrors.description) }
        add("lists verified against a fresh snapshot", "verifiedLists", report.verifiedLists)
        violations += report.violations
    }

    func print(asJSON: Bool) {
        var object = json
        object["violations"] = violations
        object["passed"] = violations.isEmpty
        if asJSON {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            Console.line(String(decoding: data, as: UTF8.self))
            return
        }
        let width = rows.map(\.0.count).max() ?? 0
        Console.line("")
        Console.line("== \(scenario)")
        for (label, value) in rows { Console.line(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value) }
        if violations.isEmpty {
            Console.line("correctness: OK")
        } else {
            Console.line("correctness: \(violations.count) VIOLATION(S)")
            for violation in violations.prefix(20) { Console.line("  - " + violation) }
        }
    }
}
