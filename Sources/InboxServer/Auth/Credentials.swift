import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password hashing with bcrypt. Hashing costs tens of milliseconds on purpose, so it runs on
/// NIO's blocking thread pool and never stalls the event loops or the cooperative pool.
public struct PasswordHasher: Sendable {
    /// bcrypt cost factor; 12 in production, 4 (the minimum) in tests.
    public let cost: UInt8
    /// A hash of the same cost that no password matches, verified when an email is unknown so
    /// that the answer takes as long as for a wrong password (no account discovery by timing).
    let decoy: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        decoy = Bcrypt.hash("decoy-\(UUID().uuidString)", cost: cost)
    }

    public func hash(_ password: String) async throws -> String {
        let cost = cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// Opaque random secrets (session tokens, connection secrets) and their stored hashes.
public enum Secrets {
    /// 32 random bytes, base64url without padding (43 characters).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// SHA-256 hex: what the store keeps instead of the secret. Tokens carry 256 random bits, so
    /// a fast hash is enough; a database leak does not reveal usable tokens.
    public static func hash(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares in time independent of where the strings differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
