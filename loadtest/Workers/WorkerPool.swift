import Foundation

/// The coordinator's side of the worker processes: starts `loadtest worker` once per plan (each
/// holds at most ~19,000 sockets, the descriptor cap), relays commands, waits for their events
/// and merges their reports.
final class WorkerPool: @unchecked Sendable {
    private struct Worker {
        let process: Process
        let input: FileHandle
        let events: AsyncStream<WorkerEvent>
    }

    private var workers: [Worker] = []
    private let lock = NSLock()
    private var latestProgress: [Int: [String: Any]] = [:]
    private var lastPrinted = monotonicNanos()
    private let planFolder: URL

    var count: Int { workers.count }

    /// Starts one process per plan, pinned to `cpus` when given.
    init(plans: [WorkerPlan], cpus: String?) throws {
        planFolder = FileManager.default.temporaryDirectory.appendingPathComponent("switchboard-loadtest-\(getpid())")
        try FileManager.default.createDirectory(at: planFolder, withIntermediateDirectories: true)
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for (index, plan) in plans.enumerated() {
            let file = planFolder.appendingPathComponent("plan-\(index).json")
            try JSONEncoder().encode(plan).write(to: file)
            let process = Process()
            if let cpus {
                process.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
                process.arguments = ["-c", cpus, executable.path, "worker", "--plan", file.path]
            } else {
                process.executableURL = executable
                process.arguments = ["worker", "--plan", file.path]
            }
            let input = Pipe(), output = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.standardError
            let (events, continuation) = AsyncStream<WorkerEvent>.makeStream(bufferingPolicy: .unbounded)
            let pendingBytes = LineBuffer()
            output.fileHandleForReading.readabilityHandler = { handle in
                let chunk = handle.availableData
                if chunk.isEmpty {
                    handle.readabilityHandler = nil
                    continuation.finish()
                    return
                }
                for line in pendingBytes.append(chunk) {
                    if let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] {
                        continuation.yield(WorkerEvent(object: object))
                    }
                }
            }
            try process.run()
            workers.append(Worker(process: process, input: input.fileHandleForWriting, events: events))
        }
    }

    func send(_ command: String) {
        for worker in workers { try? worker.input.write(contentsOf: Data((command + "\n").utf8)) }
    }

    /// Waits until every worker emitted `event`; returns those events. Progress lines of the
    /// workers are summed and printed every few seconds meanwhile.
    func waitAll(_ event: String, timeout: Duration) async throws -> [[String: Any]] {
        try await withThrowingTaskGroup(of: WorkerEvent.self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask { [self] in
                    for await line in worker.events {
                        let kind = line.object["event"] as? String
                        if kind == event { return line }
                        if kind == "progress" { noteProgress(index, line.object) }
                    }
                    throw LoadTestFailure("worker \(index) ended before '\(event)'")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw LoadTestFailure("workers did not reach '\(event)' within \(timeout)")
            }
            var results: [[String: Any]] = []
            for try await result in group {
                results.append(result.object)
                if results.count == workers.count { group.cancelAll(); break }
            }
            return results
        }
    }

    /// Asks each worker for its report (after `verify`) and merges them.
    func reports(winsJSON: String, timeout: Duration) async throws -> WorkerReport {
        send("verify " + winsJSON)
        var merged = WorkerReport()
        for event in try await waitAll("report", timeout: timeout) {
            guard let object = event["report"], let data = try? JSONSerialization.data(withJSONObject: object) else { continue }
            merged.merge(try JSONDecoder().decode(WorkerReport.self, from: data))
        }
        return merged
    }

    private var stopped = false

    /// Ends every worker (idempotent).
    func stop() {
        lock.lock()
        let already = stopped
        stopped = true
        lock.unlock()
        guard !already else { return }
        send("exit")
        for worker in workers { try? worker.input.close() }
        let deadline = Date().addingTimeInterval(5)
        for worker in workers {
            while worker.process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if worker.process.isRunning { worker.process.terminate() }
        }
        try? FileManager.default.removeItem(at: planFolder)
    }

    private func noteProgress(_ index: Int, _ object: [String: Any]) {
        lock.lock()
        defer { lock.unlock() }
        latestProgress[index] = object
        let now = monotonicNanos()
        guard now - lastPrinted > 3_000_000_000 else { return }
        lastPrinted = now
        func sum(_ key: String) -> Int { latestProgress.values.reduce(0) { $0 + (($1[key] as? NSNumber)?.intValue ?? 0) } }
        Console.line("  … connected \(sum("connected")), subscribed \(sum("subscribed")), failed \(sum("failed")), deliveries \(sum("deliveries"))")
    }
}

/// One JSON line of a worker, handed from the pipe's reader to the coordinator's task.
struct WorkerEvent: @unchecked Sendable {
    let object: [String: Any]
}

/// Bytes read from a worker's stdout, cut into lines. Only the pipe's handler touches it.
private final class LineBuffer: @unchecked Sendable {
    private var bytes = Data()

    func append(_ chunk: Data) -> [Data] {
        bytes.append(chunk)
        var lines: [Data] = []
        while let newline = bytes.firstIndex(of: 0x0A) {
            lines.append(Data(bytes[bytes.startIndex..<newline]))
            bytes.removeSubrange(bytes.startIndex...newline)
        }
        return lines
    }
}

struct LoadTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
