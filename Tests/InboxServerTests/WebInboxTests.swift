import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxServer
import NIOCore
import Testing

/// The web inbox's static files at `/`: the page with its security headers, API routes still
/// first, and paths that name no file (or try to leave the folder) answered as JSON errors.
@Suite struct WebInboxTests {
    struct Page { let status: HTTPResponse.Status; let headers: HTTPFields; let body: String }

    private func withWebRoot(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("webroot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("js"), withIntermediateDirectories: true)
        try Data("<!doctype html><title>Inbox</title>".utf8).write(to: root.appendingPathComponent("index.html"))
        try Data("export const ok = 1;".utf8).write(to: root.appendingPathComponent("js/app.js"))
        // A file beside the root that a traversal would reach.
        try Data("secret".utf8).write(to: root.deletingLastPathComponent().appendingPathComponent("webroot-secret.txt"))
        defer { try? FileManager.default.removeItem(at: root) }
        let fixture = try await InboxFixture.make()
        var configuration = fixture.configuration
        configuration.webRoot = root.path
        let app = Application(router: buildRouter(store: fixture.store, configuration: configuration))
        try await app.test(.router) { client in try await body(client) }
    }

    private func get(_ client: any TestClientProtocol, _ path: String) async throws -> Page {
        try await client.execute(uri: path, method: .get) { response in
            Page(status: response.status, headers: response.headers, body: String(buffer: response.body))
        }
    }

    @Test func servesTheInboxPageWithItsSecurityHeaders() async throws {
        try await withWebRoot { client in
            let page = try await get(client, "/")
            #expect(page.status == .ok)
            #expect(page.body.contains("<title>Inbox</title>"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[.cacheControl] == "no-cache")
            let module = try await get(client, "/js/app.js")
            #expect(module.status == .ok)
            #expect(module.body == "export const ok = 1;")
        }
    }

    @Test func apiRoutesComeFirstAndKeepTheirJSON() async throws {
        try await withWebRoot { client in
            let health = try await get(client, "/health")
            #expect(health.status == .ok)
            #expect(health.body.contains("\"ok\""))
            let unknownAPI = try await get(client, "/api/v1/nope")
            #expect(unknownAPI.status == .notFound)
            #expect(unknownAPI.body.contains("\"not_found\""))
            #expect(unknownAPI.headers[.contentSecurityPolicy] == nil)
        }
    }

    @Test func pathsThatNameNoFileAreNotFoundAndNeverLeaveTheFolder() async throws {
        try await withWebRoot { client in
            for path in ["/missing.js", "/../webroot-secret.txt", "/js/../../webroot-secret.txt", "/%2e%2e/webroot-secret.txt", "/js/%2e%2e/%2e%2e/webroot-secret.txt"] {
                let page = try await get(client, path)
                #expect(page.status != .ok, "\(path) was served")
                #expect(!page.body.contains("secret"), "\(path) leaked the file beside the root")
            }
            let missing = try await get(client, "/missing.js")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("\"not_found\""))
        }
    }
}
