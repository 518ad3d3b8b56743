import ArgumentParser
import InboxCore
import InboxServer
import InboxStore

struct CreateWorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-workspace", abstract: "Create a workspace with its first admin, then exit.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Workspace name.") var name: String
    @Option(help: "Workspace slug (unique, used at login when an email is in several workspaces).") var slug: String
    @Option(help: "The first admin's name.") var adminName: String
    @Option(help: "The first admin's email.") var adminEmail: String
    @Option(help: "The first admin's password (env SWITCHBOARD_ADMIN_PASSWORD).")
    var adminPassword: String = Environment.value("SWITCHBOARD_ADMIN_PASSWORD") ?? ""

    func run() async throws {
        guard adminPassword.count >= 8 else { throw ValidationError("the admin password needs at least 8 characters") }
        let store = try self.store.openStore()
        let workspace = try await store.createWorkspace(name: name, slug: slug)
        let admin = try await store.createAgent(
            AgentDraft(name: adminName, email: adminEmail, passwordHash: try await PasswordHasher().hash(adminPassword), role: .admin, departmentIDs: []),
            in: workspace.id)
        print("workspace \(workspace.slug) (id \(workspace.id)) created; admin \(admin.email)")
    }
}
