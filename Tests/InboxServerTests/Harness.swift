import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InboxCore
import InboxServer
import InboxStore
import NIOCore
import Synchronization
import Testing

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current = Mutex<Int64>(1_000)
    @Sendable func now() -> Timestamp { Timestamp(milliseconds: current.withLock { $0 }) }
    func set(_ milliseconds: Int64) { current.withLock { $0 = milliseconds } }
    func advance(seconds: Int64) { current.withLock { $0 += seconds * 1000 } }
}

/// An answer, with its body parsed as JSON when it is JSON.
struct Reply {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var json: Any?

    subscript(key: String) -> Any? { (json as? [String: Any])?[key] }
    var errorCode: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String }
    var errorField: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["field"] as? String }
    var items: [[String: Any]] { (self["items"] as? [[String: Any]]) ?? [] }
    var ids: [Int64] { items.compactMap { ($0["id"] as? NSNumber)?.int64Value } }
    func int(_ key: String) -> Int64? { (self[key] as? NSNumber)?.int64Value }
}

/// The application over a fresh in-memory store, with the fixture of ``InboxFixture``.
struct Harness {
    let client: any TestClientProtocol
    let fixture: InboxFixture

    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, body: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let data = Data(response.body.readableBytesView)
            return Reply(status: response.status, headers: response.headers, json: try? JSONSerialization.jsonObject(with: data))
        }
    }

    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, json: [String: Any]) async throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: json)
        return try await request(method, path, token: token, body: String(decoding: data, as: UTF8.self))
    }

    func login(_ email: String, password: String = InboxFixture.password) async throws -> String {
        let reply = try await request(.post, "/api/v1/auth/login", json: ["email": email, "password": password])
        #expect(reply.status == .ok, "login of \(email) failed: \(String(describing: reply.json))")
        return try #require(reply["token"] as? String)
    }

    static func run(_ body: @Sendable (Harness) async throws -> Void) async throws {
        let fixture = try await InboxFixture.make()
        let router = buildRouter(store: fixture.store, configuration: fixture.configuration)
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await body(Harness(client: client, fixture: fixture))
        }
    }
}
