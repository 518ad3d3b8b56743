import ArgumentParser
import Foundation
import InboxCore
import InboxStore

/// Where the database lives and how durable commits are; shared by every command.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the SQLite database (env SWITCHBOARD_DATA_DIR).")
    var dataDirectory: String = Environment.value("SWITCHBOARD_DATA_DIR") ?? "./data"

    @Option(help: "full: every commit survives power loss; normal: survives a process crash (env SWITCHBOARD_DURABILITY).")
    var durability: String = Environment.value("SWITCHBOARD_DURABILITY") ?? "normal"

    var databasePath: String { (dataDirectory as NSString).appendingPathComponent("switchboard.sqlite") }

    func validate() throws {
        guard SQLiteStore.Durability(rawValue: durability) != nil else {
            throw ValidationError("--durability is full or normal")
        }
    }

    func openStore(now: @escaping @Sendable () -> InboxCore.Timestamp = InboxCore.Timestamp.now) throws -> SQLiteStore {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        return try SQLiteStore(.init(path: databasePath, durability: SQLiteStore.Durability(rawValue: durability) ?? .normal, now: now))
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
