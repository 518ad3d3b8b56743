import Foundation
import Hummingbird
import HTTPTypes

/// The browser inbox: static HTML, CSS and JavaScript modules from the repository's `web/`
/// folder, served at `/` behind the API routes (a path the router does not know is looked up
/// as a file). Files are revalidated on every load (`no-cache` plus the ETag the middleware
/// sets), so a deploy reaches open browsers on their next reload without stale modules.
public enum WebInbox {
    /// Adds the file middleware and the page's security headers when `root` is set.
    static func add(root: String?, to router: Router<AppRequestContext>) {
        guard let root else { return }
        router.middlewares.add(WebSecurityHeaders())
        router.middlewares.add(FileMiddleware(
            root, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true))
    }

    /// Where the static files are when no `--web-root` is given: `./web` when the server runs
    /// from the repository, else `web/` beside the build folder of the binary (`.build/debug/`).
    public static func defaultRoot(executablePath: String = CommandLine.arguments.first ?? "") -> String? {
        let fileManager = FileManager.default
        var candidates = [fileManager.currentDirectoryPath + "/web"]
        let executable = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            folder = folder.deletingLastPathComponent()
            candidates.append(folder.appendingPathComponent("web").path)
        }
        return candidates.first { fileManager.fileExists(atPath: $0 + "/index.html") }
    }
}

/// Headers that keep the inbox page to its own origin: scripts, styles and sockets only from
/// this server, no framing by other sites, no MIME sniffing. API responses are JSON and carry
/// no page, so they are left as they are.
struct WebSecurityHeaders: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard !request.uri.path.hasPrefix("/api/"), request.uri.path != "/ws" else { return response }
        response.headers[.contentSecurityPolicy] =
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return response
    }
}
