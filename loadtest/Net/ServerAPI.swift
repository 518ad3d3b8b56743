import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP side of the server under test: JSON in, JSON out, with the error code of §5 when a
/// call fails. One shared client (keep-alive pool) per process.
struct ServerAPI: Sendable {
    let host: String
    let port: Int
    let client: HTTPClient

    var baseURL: String { "http://\(host):\(port)" }

    struct Failure: Error, CustomStringConvertible {
        let method: String, path: String, status: Int, body: String
        var description: String { "\(method) \(path) → \(status) \(body.prefix(300))" }
        /// The stable error code of the body, when it has one.
        var code: String? {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                  let error = object["error"] as? [String: Any] else { return nil }
            return error["code"] as? String
        }
    }

    /// Sends a request and returns the decoded JSON object (empty for 204). Throws `Failure` for
    /// any status outside 2xx.
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, body: [String: Any]? = nil) async throws -> [String: Any] {
        try await call(method, path, token: token, json: body.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    /// The same with a body already encoded (bodies built outside a task cross into it as Data).
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json body: Data?) async throws -> [String: Any] {
        let (status, data) = try await raw(method, path, token: token, body: body)
        guard (200..<300).contains(status) else {
            throw Failure(method: method.rawValue, path: path, status: status, body: String(decoding: data, as: UTF8.self))
        }
        guard !data.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }

    func raw(_ method: HTTPMethod, _ path: String, token: String? = nil, body: Data?, timeout: TimeAmount = .seconds(60)) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }

    func text(_ path: String) async throws -> String {
        let (status, data) = try await raw(.GET, path, body: nil)
        guard status == 200 else { throw Failure(method: "GET", path: path, status: status, body: "") }
        return String(decoding: data, as: UTF8.self)
    }
}

extension HTTPClient {
    /// A client for load generation: plenty of keep-alive connections, no redirects.
    static func forLoad() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
