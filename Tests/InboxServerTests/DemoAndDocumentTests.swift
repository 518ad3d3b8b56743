import HTTPTypes
import Foundation
import InboxCore
import InboxServer
import InboxStore
import Testing

@Suite struct DemoAndDocumentTests {
    @Test func theDemoHasConversationsInEveryStatusAndWorkingLogins() async throws {
        let clock = DemoClock()
        let store = try SQLiteStore(.init(path: nil, now: clock.now))
        let summary = try await DemoSeeder(store: store, clock: clock, hasher: PasswordHasher(cost: 4), conversations: 120).seedIfNeeded()
        #expect(summary.logins.count == 7)
        #expect(summary.connections.map(\.name).contains("crm.datacrazy"))
        let admin = try #require(try await store.agents(in: summary.workspace.id).first { $0.role == .admin })
        for status in StatusFilter.allCases {
            let count = try await store.countConversations(ConversationFilter(statuses: [status]), viewer: admin.viewer)
            #expect(count > 0, "no demo conversation is \(status.rawValue)")
        }
        #expect(try await store.countConversations(ConversationFilter(scope: .unassigned, statuses: [.open]), viewer: admin.viewer) > 0)
        #expect(try await store.countConversations(ConversationFilter(), viewer: admin.viewer) == 120)
        // Seeding again finds the workspace and adds nothing.
        _ = try await DemoSeeder(store: store, clock: clock, hasher: PasswordHasher(cost: 4), conversations: 120).seedIfNeeded()
        #expect(try await store.workspaces().count == 1)
    }

    @Test func theOpenAPIDocumentIsServedAndNamesEveryRoute() async throws {
        try await Harness.run { app in
            let reply = try await app.request(.get, "/openapi.json")
            #expect(reply.status == .ok)
            #expect((reply["openapi"] as? String)?.hasPrefix("3.") == true)
            let paths = try #require(reply["paths"] as? [String: Any])
            for path in ["/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/me", "/api/v1/agents", "/api/v1/agents/{id}",
                         "/api/v1/departments", "/api/v1/tags", "/api/v1/connections", "/api/v1/connections/{id}/secret",
                         "/api/v1/pipelines", "/api/v1/pipelines/{id}/stages", "/api/v1/stages/{id}", "/api/v1/contacts",
                         "/api/v1/contacts/{id}", "/api/v1/deals", "/api/v1/connections/{id}/inbound", "/api/v1/connections/{id}/delivery",
                         "/api/v1/conversations", "/api/v1/conversations/counts", "/api/v1/conversations/{id}",
                         "/api/v1/conversations/{id}/messages", "/api/v1/conversations/{id}/read"] {
                #expect(paths[path] != nil, "openapi.json lacks \(path)")
            }
        }
    }
}
