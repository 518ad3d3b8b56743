import Foundation

/// What the generator reads about the server process from /proc: CPU time and resident memory.
/// The server is found by its command line (`switchboard ... serve`) unless a pid is given.
struct ServerProbe: Sendable {
    let pid: Int32
    /// Also count the direct children (nginx's workers under its master).
    var includeChildren = false

    struct Reading: Sendable {
        let cpuSeconds: Double
        let rssBytes: Int
        let at: UInt64
    }

    /// The server serving `port`: a `switchboard ... serve` whose `--port` is `port` (or that has
    /// no `--port` when `port` is the default 8080).
    static func find(pid: Int32?, port: Int, executableName: String = "switchboard") -> ServerProbe? {
        if let pid { return ServerProbe(pid: pid) }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let candidate = Int32(entry),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let first = arguments.first, (first as NSString).lastPathComponent == executableName,
                  arguments.contains("serve") else { continue }
            let portArgument = arguments.firstIndex(of: "--port").flatMap { $0 + 1 < arguments.count ? Int(arguments[$0 + 1]) : nil }
            if portArgument == port || (portArgument == nil && port == 8080) { return ServerProbe(pid: candidate) }
        }
        return nil
    }

    func read() -> Reading? {
        guard var total = Self.read(pid: pid) else { return nil }
        if includeChildren {
            for child in Self.children(of: pid) {
                guard let reading = Self.read(pid: child) else { continue }
                total = Reading(cpuSeconds: total.cpuSeconds + reading.cpuSeconds, rssBytes: total.rssBytes + reading.rssBytes, at: total.at)
            }
        }
        return total
    }

    private static func children(of parent: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    private static func read(pid: Int32) -> Reading? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        // Fields after the command name (which may hold spaces) start after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // utime and stime are fields 14 and 15 of stat; fields[0] here is field 3 (state).
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var rss = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            rss = (Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "0") ?? 0) * 1024
        }
        return Reading(cpuSeconds: (user + system) / ticks, rssBytes: rss, at: monotonicNanos())
    }

    /// Share of one core used between two readings (1.0 = a whole core).
    static func coreShare(from start: Reading, to end: Reading) -> Double {
        let seconds = Double(end.at - start.at) / 1e9
        return seconds > 0 ? (end.cpuSeconds - start.cpuSeconds) / seconds : 0
    }
}

/// The server's Prometheus exposition (`GET /metrics`), reduced to name → value (labels folded
/// into the name as written).
struct MetricsSnapshot: Sendable {
    let values: [String: Double]

    init(exposition: String) {
        var values: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            let name = String(line[..<space])
            values[name] = value
        }
        self.values = values
    }

    func value(_ name: String) -> Double { values[name] ?? 0 }

    /// The upper bound of the bucket holding the `quantile` (0 to 1) of what a Prometheus
    /// histogram recorded between `earlier` and this snapshot: an upper estimate, as coarse as
    /// the buckets.
    func histogramQuantile(_ metric: String, _ quantile: Double, since earlier: MetricsSnapshot) -> Double? {
        var buckets: [(bound: Double, count: Double)] = []
        for (name, value) in values where name.hasPrefix(metric + "_bucket{") {
            guard let range = name.range(of: "le=\""), let end = name[range.upperBound...].firstIndex(of: "\"") else { continue }
            let text = name[range.upperBound..<end]
            let bound = text == "+Inf" ? Double.infinity : Double(text) ?? .infinity
            buckets.append((bound, value - earlier.value(name)))
        }
        buckets.sort { $0.bound < $1.bound }
        guard let total = buckets.last?.count, total > 0 else { return nil }
        return buckets.first { $0.count >= quantile * total }?.bound
    }

    /// Sum of every series whose name starts with `prefix` (all label sets of one metric).
    func sum(_ prefix: String) -> Double {
        values.filter { $0.key == prefix || $0.key.hasPrefix(prefix + "{") }.values.reduce(0, +)
    }
}
