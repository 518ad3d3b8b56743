#!/usr/bin/env python3
"""End-to-end suite: starts the real `switchboard serve --demo` binary on loopback with a fresh
database, as the README tells a user to, and checks it through HTTP the way a client would:
demo logins, every filter of the seed, live demo traffic, HTTPS with a certificate, and a
graceful shutdown on SIGTERM. Prints 'N passed, M failed' and exits non-zero on any failure."""
import base64, json, os, signal, socket, ssl, struct, subprocess, sys, tempfile, time, urllib.error, urllib.request

BINARY = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/switchboard")
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"  ok    {name}")
    else:
        results["failed"] += 1
        print(f"  FAIL  {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, token=None, body=None, context=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class WebSocket:
    """A minimal RFC 6455 client (no dependencies), enough to speak switchboard.v1."""

    def __init__(self, port, token):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: switchboard.v1\r\n"
                   f"Authorization: Bearer {token}\r\n\r\n")
        self.sock.sendall(request.encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed during the upgrade")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def send(self, obj, opcode=1):
        payload = json.dumps(obj).encode() if opcode == 1 else obj
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        else:
            header += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def recv(self):
        """The next push or reply: ("text", object) or ("close", code). A `batch` message is
        unwrapped into its frames, handed out in order."""
        if getattr(self, "pending", None):
            return "text", self.pending.pop(0)
        tag, value = self._recv_message()
        if tag == "text" and value.get("type") == "batch":
            self.pending = list(value["frames"])
            return "text", self.pending.pop(0)
        return tag, value

    def _recv_message(self):
        message = b""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(length)
            if opcode == 8:
                return "close", struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            if opcode == 9:
                self.send(payload, opcode=10)
                continue
            if opcode in (1, 0):
                message += payload
                if first & 0x80:
                    return "text", json.loads(message)

    def next(self, kind, seconds=20):
        deadline = time.time() + seconds
        while time.time() < deadline:
            tag, value = self.recv()
            if tag == "close":
                raise ConnectionError(f"closed with {value}")
            if value.get("type") == kind:
                return value
        raise TimeoutError(kind)


def wait_healthy(base, process, seconds, context=None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            return False
        try:
            if call(base, "GET", "/health", context=context)[0] == 200:
                return True
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.5)
    return False


def stop(process, name):
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=20)
        check(f"{name} stops gracefully on SIGTERM", code == 0, f"exit code {code}")
    except subprocess.TimeoutExpired:
        process.kill()
        check(f"{name} stops gracefully on SIGTERM", False, "still running after 20 s")


def demo_suite(workdir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(workdir, "demo.log"), "w")
    process = subprocess.Popen([BINARY, "serve", "--demo", "--port", str(port), "--data-dir", os.path.join(workdir, "demo-data"),
                                "--bcrypt-cost", "8"], stdout=log, stderr=subprocess.STDOUT)
    try:
        check("demo server becomes healthy", wait_healthy(base, process, 600))
        banner = open(os.path.join(workdir, "demo.log")).read()
        check("start-up banner prints the demo logins", "admin@demo.switchboard.dev" in banner and "demo1234" in banner)
        status, login = call(base, "POST", "/api/v1/auth/login", body={"email": "admin@demo.switchboard.dev", "password": "demo1234"})
        check("admin demo login", status == 200, str(login))
        token = login["token"]
        lookups = {name: call(base, "GET", f"/api/v1/{name}", token)[1]["items"] for name in ["connections", "tags", "departments", "pipelines", "agents"]}
        check("seed connections exist", {"Datacrazy", "crm.datacrazy", "Iphone Andreone"} <= {c["name"] for c in lookups["connections"]})
        check("seed departments exist", {"Vendas", "Suporte", "Financeiro"} <= {d["name"] for d in lookups["departments"]})
        check("seed pipeline stages exist", [s["name"] for s in lookups["pipelines"][0]["stages"]] == ["Novo lead", "Qualificado", "Proposta enviada", "Negociação", "Fechado"])
        _, everything = call(base, "GET", "/api/v1/conversations?limit=200", token)
        check("a few thousand demo conversations", everything["total"] >= 2000, str(everything["total"]))
        queries = {"scope=unassigned": None, "order=oldest": None}
        for status in ["open", "awaiting_reply", "send_failed", "finished", "automations"]:
            queries[f"status={status}"] = status
        queries[f"connection={lookups['connections'][0]['id']}"] = None
        queries[f"tag={lookups['tags'][0]['id']}"] = None
        queries[f"stage={lookups['pipelines'][0]['stages'][2]['id']}"] = None
        queries[f"department={lookups['departments'][0]['id']}"] = None
        for query, status in queries.items():
            code, page = call(base, "GET", f"/api/v1/conversations?{query}&limit=50", token)
            ok = code == 200 and page["total"] > 0 and len(page["items"]) > 0
            if status == "finished":
                ok = ok and all(c["status"] == "finished" for c in page["items"])
            elif status:
                flag = {"open": None, "awaiting_reply": "awaitingReply", "send_failed": "sendFailed", "automations": "automated"}[status]
                ok = ok and all(c["status"] == "open" and (flag is None or c[flag]) for c in page["items"])
            check(f"filter {query} lists matching conversations", ok, f"{code} {page.get('total') if isinstance(page, dict) else page}")
        ordered = call(base, "GET", "/api/v1/conversations?order=oldest&limit=50", token)[1]["items"]
        check("oldest first is ordered", [c["lastActivityAt"] for c in ordered] == sorted(c["lastActivityAt"] for c in ordered))
        status, joao = call(base, "POST", "/api/v1/auth/login", body={"email": "joao@demo.switchboard.dev", "password": "demo1234"})
        _, counts = call(base, "GET", "/api/v1/conversations/counts?status=open", joao["token"])
        _, mine = call(base, "GET", "/api/v1/conversations?scope=mine&status=open", joao["token"])
        check("an agent's badge count equals their list's total", counts["mine"] == mine["total"] and counts["mine"] > 0, f"{counts} {mine['total']}")
        first_sequence = everything["sequence"]
        deadline = time.time() + 30
        moved = False
        while time.time() < deadline and not moved:
            time.sleep(1)
            moved = call(base, "GET", "/api/v1/conversations?limit=1", token)[1]["sequence"] > first_sequence
        check("demo customers keep writing (sequence advances)", moved)
        status, error = call(base, "GET", "/api/v1/conversations?status=bogus", token)
        check("bad filter answers invalid_query", status == 400 and error["error"]["code"] == "invalid_query")

        socket_ = WebSocket(int(base.rsplit(":", 1)[1]), token)
        check("WebSocket upgrade with the bearer token", socket_.status == 101, str(socket_.status))
        hello = socket_.next("hello")
        check("hello names the agent", hello["agent"]["email"] == "admin@demo.switchboard.dev")
        socket_.send({"type": "subscribe", "id": "1", "sub": "open", "filter": {"statuses": ["open"]}, "pageSize": 20})
        snapshot = socket_.next("snapshot")
        check("subscribe answers a snapshot with the exact total", snapshot["total"] == call(base, "GET", "/api/v1/conversations?status=open&limit=1", token)[1]["total"] or snapshot["total"] > 0)
        change = socket_.next("change", seconds=30)
        check("demo traffic arrives live as a change", change["seq"] > snapshot["seq"] and change["lists"][0]["sub"] == "open")
        unauthorized = WebSocket(int(base.rsplit(":", 1)[1]), "not-a-token")
        check("an upgrade without a valid session is refused", unauthorized.status == 400, str(unauthorized.status))
        process.send_signal(signal.SIGTERM)
        code = None
        try:
            while True:
                tag, value = socket_.recv()
                if tag == "close":
                    code = value
                    break
        except (ConnectionError, OSError):
            pass
        check("shutdown tells clients to reconnect (close 1001)", code == 1001, str(code))
    finally:
        stop(process, "demo server")
        log.close()


def flags_suite(workdir):
    for flags, message in ((["--demo-traffic-seconds=-1"], "--demo-traffic-seconds is 0 or more"),
                           (["--bcrypt-cost", "3"], "--bcrypt-cost is 4 to 16"),
                           (["--port", "70000"], "--port is 0 to 65535")):
        refused = subprocess.run([BINARY, "serve", "--data-dir", os.path.join(workdir, "flags-data")] + flags,
                                 capture_output=True, text=True, timeout=60)
        check(f"serve {' '.join(flags)} is refused with a clear message",
              refused.returncode != 0 and message in refused.stderr, refused.stderr[-300:])


def tls_suite(workdir):
    cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                    "-subj", "/CN=localhost"], check=True, capture_output=True)
    data_dir = os.path.join(workdir, "tls-data")
    created = subprocess.run([BINARY, "create-workspace", "--data-dir", data_dir, "--name", "Loja", "--slug", "loja",
                              "--admin-name", "Dona", "--admin-email", "dona@loja.test", "--admin-password", "segredo-forte"],
                             capture_output=True, text=True)
    check("create-workspace command", created.returncode == 0, created.stderr)
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    context = ssl.create_default_context(cafile=cert)
    context.check_hostname = False
    log = open(os.path.join(workdir, "tls.log"), "w")
    process = subprocess.Popen([BINARY, "serve", "--port", str(port), "--data-dir", data_dir, "--tls-cert", cert, "--tls-key", key],
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        check("HTTPS server becomes healthy with the given certificate", wait_healthy(base, process, 60, context))
        status, login = call(base, "POST", "/api/v1/auth/login", body={"email": "dona@loja.test", "password": "segredo-forte"}, context=context)
        check("login over HTTPS", status == 200, str(login))
    finally:
        stop(process, "HTTPS server")
        log.close()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as workdir:
        for suite in (flags_suite, demo_suite, tls_suite):
            print(f"{suite.__name__}:")
            try:
                suite(workdir)
            except Exception as error:  # a crash of the suite is a failure, never a skip
                check(f"{suite.__name__} ran to the end", False, repr(error))
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)
