// HTTP client for /api/v1: the bearer token, JSON bodies, and errors as Error objects carrying
// the server's {error:{code,message,...}} so callers branch on .code (protocol §5).

const TOKEN_KEY = "sb.token";
let token = null;
try { token = sessionStorage.getItem(TOKEN_KEY); } catch (_) { /* storage off */ }
let authLost = () => {};

export function getToken() { return token; }
export function setToken(t) {
  token = t;
  try { t ? sessionStorage.setItem(TOKEN_KEY, t) : sessionStorage.removeItem(TOKEN_KEY); } catch (_) { /* ignore */ }
}
/** cb() when the server says the session is over (401 token_expired / unauthorized). */
export function onAuthLost(cb) { authLost = cb; }

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || (status ? `http_${status}` : "network");
    this.field = e.field;
    this.details = e; // conflict: reason, assignee, version...
  }
}

/** request("GET", "/api/v1/agents") -> parsed JSON (null for 204). Rejects with ApiError. */
export async function request(method, path, body) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
  } catch (e) {
    const err = new ApiError(0, { error: { code: "network", message: "the server cannot be reached" } });
    throw err;
  }
  if (res.status === 204) return null;
  let js = null;
  try { js = await res.json(); } catch (_) { js = null; }
  if (!res.ok) {
    const err = new ApiError(res.status, js);
    if (res.status === 401 && (err.code === "token_expired" || err.code === "unauthorized") && !path.endsWith("/auth/login")) authLost();
    throw err;
  }
  return js;
}

/** Builds "?a=1&b=2" from {a: 1, b: [2, 3]} (arrays comma-joined, empty values dropped). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : "";
}
