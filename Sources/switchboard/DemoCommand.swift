import ArgumentParser
import InboxCore
import InboxServer
import InboxStore

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Create the demo workspace (if missing) and exit.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Conversations in a new demo workspace.")
    var conversations: Int = 2_500

    func run() async throws {
        let clock = DemoClock()
        let summary = try await DemoSeeder(
            store: try store.openStore(now: clock.now), clock: clock, hasher: PasswordHasher(cost: 10), conversations: conversations
        ).seedIfNeeded()
        print("demo workspace '\(summary.workspace.slug)' ready; logins (password \(summary.password)):")
        for login in summary.logins { print("  \(login.email) (\(login.role.rawValue))") }
    }
}
