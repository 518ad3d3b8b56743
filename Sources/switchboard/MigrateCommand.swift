import ArgumentParser
import InboxStore

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or upgrade the database schema, then exit.")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        _ = try store.openStore()
        print("database ready: \(store.databasePath)")
    }
}
