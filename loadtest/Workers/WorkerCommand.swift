import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

/// `loadtest worker --plan <file>`: started by the coordinator, never by hand.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Internal: one worker process of a scenario (started by the coordinator).",
        shouldDisplay: false)

    @Option(help: "The plan file (JSON) the coordinator wrote.")
    var plan: String

    func run() throws {
        let plan = try JSONDecoder().decode(WorkerPlan.self, from: Data(contentsOf: URL(fileURLWithPath: self.plan)))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let session = WorkerSession(plan: plan, loop: loop)
        loop.execute { session.start() }
        // Commands arrive as lines on stdin; the coordinator closing it means stop.
        while let line = readLine() {
            loop.execute { session.command(line) }
        }
        loop.execute { session.command("exit") }
        Thread.sleep(forTimeInterval: 5)
    }
}
