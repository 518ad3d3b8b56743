import HTTPTypes
import InboxCore
import Testing

@Suite struct AuthTests {
    @Test func loginMeAndLogout() async throws {
        try await Harness.run { app in
            let token = try await app.login("Vendas@ACME.test")
            let me = try await app.request(.get, "/api/v1/auth/me", token: token)
            #expect(me.status == .ok)
            #expect((me["agent"] as? [String: Any])?["email"] as? String == "vendas@acme.test")
            #expect((me["agent"] as? [String: Any])?["passwordHash"] == nil)
            #expect((me["workspace"] as? [String: Any])?["slug"] as? String == "acme")
            #expect(try await app.request(.post, "/api/v1/auth/logout", token: token).status == .noContent)
            let after = try await app.request(.get, "/api/v1/auth/me", token: token)
            #expect(after.status == .unauthorized)
            #expect(after.errorCode == "token_expired")
        }
    }

    @Test func wrongPasswordUnknownEmailAndMissingToken() async throws {
        try await Harness.run { app in
            let wrong = try await app.request(.post, "/api/v1/auth/login", json: ["email": "admin@acme.test", "password": "nope nope"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")
            let unknown = try await app.request(.post, "/api/v1/auth/login", json: ["email": "ghost@acme.test", "password": "whatever1"])
            #expect(unknown.errorCode == "invalid_credentials")
            let missing = try await app.request(.get, "/api/v1/conversations")
            #expect(missing.status == .unauthorized)
            #expect(missing.errorCode == "unauthorized")
            let garbage = try await app.request(.get, "/api/v1/conversations", token: "not-a-token")
            #expect(garbage.errorCode == "unauthorized")
            let basic = try await app.request(.get, "/api/v1/conversations", headers: [.authorization: "Basic YWRtaW46YWRtaW4="])
            #expect(basic.errorCode == "unauthorized")
        }
    }

    @Test func sessionsExpire() async throws {
        try await Harness.run { app in
            let token = try await app.login("admin@acme.test")
            #expect(try await app.request(.get, "/api/v1/auth/me", token: token).status == .ok)
            app.fixture.clock.advance(seconds: 3601)
            let expired = try await app.request(.get, "/api/v1/auth/me", token: token)
            #expect(expired.status == .unauthorized)
            #expect(expired.errorCode == "token_expired")
        }
    }

    @Test func repeatedFailuresAreThrottled() async throws {
        try await Harness.run { app in
            for _ in 0..<5 {
                let reply = try await app.request(.post, "/api/v1/auth/login", json: ["email": "admin@acme.test", "password": "wrong-guess"])
                #expect(reply.errorCode == "invalid_credentials")
            }
            let throttled = try await app.request(.post, "/api/v1/auth/login", json: ["email": "admin@acme.test", "password": InboxFixture.password])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.errorCode == "rate_limited")
            #expect(throttled.headers[.retryAfter] != nil)
            app.fixture.clock.advance(seconds: 301)
            _ = try await app.login("admin@acme.test")
        }
    }

    @Test func deactivatingAnAgentEndsTheirSessions() async throws {
        try await Harness.run { app in
            let admin = try await app.login("admin@acme.test")
            let agent = try await app.login("vendas@acme.test")
            let reply = try await app.request(.delete, "/api/v1/agents/\(app.fixture.vendasAgent.id)", token: admin)
            #expect(reply.status == .ok)
            #expect(reply["active"] as? Bool == false)
            #expect(try await app.request(.get, "/api/v1/auth/me", token: agent).errorCode == "token_expired")
            let relogin = try await app.request(.post, "/api/v1/auth/login", json: ["email": "vendas@acme.test", "password": InboxFixture.password])
            #expect(relogin.errorCode == "invalid_credentials")
        }
    }
}
