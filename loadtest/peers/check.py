#!/usr/bin/env python3
"""Check one fan-out peer against the endpoint contract (loadtest/peers/README.md).

    python3 loadtest/peers/check.py <nchan|nats|socketify|bare> [--big-subs 2000] [--big-messages 50]

Starts the peer with loadtest/peers/start.sh on a free port, then:
  1. publishes one message before anyone subscribes (it must never be delivered: no replay),
  2. small check: 3 subscribers on one topic (one offering permessage-deflate, which must not be
     accepted) + 1 on another topic, 1 publisher, 100 messages
     (ASCII, UTF-8, quotes, CR/LF, sizes up to 1 KiB): every subscriber of the topic gets all
     100 in order with exact bytes, each as one text frame; the other topic gets nothing; the
     HTTP publisher uses one keep-alive connection throughout,
  3. big check: --big-subs subscribers on one topic receive --big-messages messages,
  4. stops the peer with SIGTERM (or --stop-signal INT) while the big check's subscribers are still
     connected, and checks that it exits within 30 s, every subscriber sees its connection end,
     none of its processes is left and its port is free.
Exits 0 when everything passed, 1 otherwise. Standard library only (raw WebSocket client).

Subscriptions are asynchronous on some peers (the 101 or PONG may come before the subscription
is live), so before counting, the check publishes "warmup" messages until every subscriber has
received one; a load generator needs the same barrier.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

PEERS_DIR = Path(__file__).resolve().parent
START = PEERS_DIR / "start.sh"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class CheckFailed(Exception):
    pass


def log(message: str) -> None:
    print(f"check: {message}", flush=True)


# --- WebSocket client (RFC 6455, client side, no extensions) ------------------------------


class ConnectionClosed(Exception):
    pass


class WebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.frames = 0  # data frames received (for the NATS framing notes)
        self.negotiated: str | None = None

    @classmethod
    async def connect(cls, port: int, path: str, offer_deflate: bool = False) -> "WebSocket":
        """offer_deflate: offer permessage-deflate, which the peers must not accept."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" if offer_deflate else ""
        writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{offer}\r\n"
            ).encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise CheckFailed(f"WebSocket upgrade of {path} answered {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        accept = base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            raise CheckFailed(f"bad Sec-WebSocket-Accept from {path}: {headers}")
        extensions = headers.get("sec-websocket-extensions")
        if extensions and not offer_deflate:
            raise CheckFailed(f"server negotiated an extension nobody asked for: {headers}")
        ws = cls(reader, writer)
        # nchan accepts an offered permessage-deflate but never compresses (its
        # nchan_deflate_message_for_websocket is off): allowed, since every frame is still
        # checked for RSV bits (a compressed frame fails the check).
        ws.negotiated = extensions
        return ws

    def send(self, opcode: int, payload: bytes) -> None:
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def _frame(self) -> tuple[bool, int, bytes]:
        try:
            b0, b1 = await self.reader.readexactly(2)
            n = b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", await self.reader.readexactly(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", await self.reader.readexactly(8))
            if b1 & 0x80:
                raise CheckFailed("server sent a masked frame")
            if b0 & 0x70:
                raise CheckFailed("server set RSV bits (compression?) on a frame")
            payload = await self.reader.readexactly(n) if n else b""
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            raise ConnectionClosed(str(error)) from None
        return bool(b0 & 0x80), b0 & 0x0F, payload

    async def recv(self) -> tuple[int, bytes, int]:
        """Returns (opcode, message, frames it took); answers pings; raises ConnectionClosed."""
        parts: list[bytes] = []
        first_opcode = None
        count = 0
        while True:
            fin, opcode, payload = await self._frame()
            if opcode == 0x9:  # ping
                self.send(0xA, payload)
                continue
            if opcode == 0xA:  # pong
                continue
            if opcode == 0x8:  # close
                try:
                    self.send(0x8, payload[:2])
                except Exception:
                    pass
                raise ConnectionClosed(f"close frame {payload[:2].hex()} {payload[2:]!r}")
            count += 1
            if first_opcode is None:
                if opcode == 0:
                    raise CheckFailed("continuation frame without a first frame")
                first_opcode = opcode
            elif opcode != 0:
                raise CheckFailed("new data frame inside a fragmented message")
            parts.append(payload)
            if fin:
                self.frames += count
                return first_opcode, b"".join(parts), count

    def close(self) -> None:
        try:
            self.send(0x8, struct.pack("!H", 1000))
        except Exception:
            pass
        self.writer.close()


# --- subscribers --------------------------------------------------------------------------


class Subscriber:
    """Collects every message of one topic, for the WebSocket peers (nchan, socketify, bare)."""

    def __init__(self, name: str):
        self.name = name
        self.messages: list[bytes] = []
        self.errors: list[str] = []
        self.closed: str | None = None
        self.task: asyncio.Task | None = None

    def warm(self) -> bool:
        return any(m.startswith(b"warmup-") for m in self.messages)

    def real(self) -> list[bytes]:
        return [m for m in self.messages if not m.startswith(b"warmup-")]


class WebSocketSubscriber(Subscriber):
    async def start(self, port: int, topic: str) -> None:
        self.ws = await WebSocket.connect(port, f"/sub/{topic}", offer_deflate=self.name.endswith("-0"))
        self.task = asyncio.create_task(self.run())

    async def run(self) -> None:
        try:
            while True:
                opcode, message, frames = await self.ws.recv()
                if opcode != 0x1:
                    self.errors.append(f"opcode {opcode} instead of text (1)")
                if frames != 1:
                    self.errors.append(f"message split in {frames} frames")
                self.messages.append(message)
        except ConnectionClosed as closed:
            self.closed = str(closed)
        except CheckFailed as error:
            self.errors.append(str(error))

    def stop(self) -> None:
        if self.task:
            self.task.cancel()
        self.ws.close()


class NatsConnection:
    """NATS text protocol over WebSocket: the byte stream is the concatenation of all frames."""

    def __init__(self, ws: WebSocket):
        self.ws = ws
        self.buffer = bytearray()
        self.info: dict = {}
        self.pongs = 0
        self.msgs: list[bytes] = []
        self.errors: list[str] = []
        self.split_msgs = 0  # MSGs whose bytes arrived in more than one WS frame
        self.shared_frame_ops = 0  # ops that began in a frame that also carried an earlier op

    @classmethod
    async def connect(cls, port: int, offer_deflate: bool = False) -> "NatsConnection":
        conn = cls(await WebSocket.connect(port, "/", offer_deflate))
        await conn._read_more()
        op = await conn._next_op()
        if op[0] != "INFO":
            raise CheckFailed(f"NATS server did not start with INFO: {op}")
        conn.info = json.loads(op[1])
        conn.ws.send(0x2, b'CONNECT {"verbose":false,"pedantic":false}\r\n')
        return conn

    async def _read_more(self) -> int:
        opcode, payload, _ = await self.ws.recv()
        if opcode != 0x2:
            raise CheckFailed(f"NATS sent opcode {opcode}, expected binary (2)")
        self.buffer += payload
        return len(payload)

    async def _next_op(self):
        """Returns ('INFO', json) | ('MSG', subject, payload, frames) | ('PING',) | ('PONG',) | ('+OK',) | ('-ERR', text)."""
        # frames this op's bytes came from: the one already buffered (if any) plus each read
        continued = len(self.buffer) > 0
        frames = 1 if continued else 0
        if continued:
            self.shared_frame_ops += 1
        while b"\r\n" not in self.buffer:
            await self._read_more()
            frames += 1
        end = self.buffer.index(b"\r\n")
        line = bytes(self.buffer[:end]).decode()
        verb = line.split(" ", 1)[0].upper()
        if verb == "MSG":
            fields = line.split(" ")
            size = int(fields[-1])
            while len(self.buffer) < end + 2 + size + 2:
                await self._read_more()
                frames += 1
            payload = bytes(self.buffer[end + 2 : end + 2 + size])
            if self.buffer[end + 2 + size : end + 4 + size] != b"\r\n":
                raise CheckFailed("MSG payload not followed by CRLF")
            del self.buffer[: end + 4 + size]
            if frames > 1:
                self.split_msgs += 1
            return ("MSG", fields[1], payload, frames)
        del self.buffer[: end + 2]
        if verb == "INFO":
            return ("INFO", line[5:])
        if verb == "-ERR":
            return ("-ERR", line)
        return (verb,)

    async def run(self, on_msg) -> None:
        while True:
            op = await self._next_op()
            if op[0] == "PING":
                self.ws.send(0x2, b"PONG\r\n")
            elif op[0] == "PONG":
                self.pongs += 1
            elif op[0] == "MSG":
                on_msg(op[2])
            elif op[0] == "-ERR":
                self.errors.append(op[1])

    async def ping(self, timeout: float = 30) -> None:
        want = self.pongs + 1
        self.ws.send(0x2, b"PING\r\n")
        deadline = time.monotonic() + timeout
        while self.pongs < want:
            if time.monotonic() > deadline:
                raise CheckFailed("no PONG from NATS")
            await asyncio.sleep(0.005)


class NatsSubscriber(Subscriber):
    async def start(self, port: int, topic: str) -> None:
        self.conn = await NatsConnection.connect(port, offer_deflate=self.name.endswith("-0"))
        self.conn.ws.send(0x2, f"SUB {topic} 1\r\n".encode())
        self.task = asyncio.create_task(self.run())
        await self.conn.ping()  # the SUB is live once its PONG is back

    async def run(self) -> None:
        try:
            await self.conn.run(self.messages.append)
        except ConnectionClosed as closed:
            self.closed = str(closed)
        except CheckFailed as error:
            self.errors.append(str(error))

    def stop(self) -> None:
        if self.task:
            self.task.cancel()
        self.conn.ws.close()


# --- publishers ---------------------------------------------------------------------------


class HttpPublisher:
    """POST /pub/<topic> over one HTTP/1.1 keep-alive connection (reconnects are counted)."""

    def __init__(self, port: int):
        self.port = port
        self.reader = self.writer = None
        self.connections = 0
        self.idle_reconnects = 0
        self.last_used = time.monotonic()
        self.statuses: dict[int, int] = {}
        self.max_latency = 0.0

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.connections += 1

    async def publish(self, topic: str, body: bytes) -> None:
        # A server may close a keep-alive connection that sat idle (uWS, so socketify, after
        # 10 s): then reconnect once. Closing a busy connection is still a failure.
        idle = time.monotonic() - self.last_used
        try:
            await self._publish(topic, body)
        except (asyncio.IncompleteReadError, ConnectionError):
            if idle < 5:
                raise
            self.idle_reconnects += 1
            self.connections -= 1  # not a keep-alive failure
            self.writer = None
            await self._publish(topic, body)
        self.last_used = time.monotonic()

    async def _publish(self, topic: str, body: bytes) -> None:
        if self.writer is None:
            await self._connect()
        started = time.monotonic()
        self.writer.write(
            (
                f"POST /pub/{topic} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                f"Content-Type: text/plain; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            + body
        )
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), 30)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip().lower()
        if "chunked" in headers.get("transfer-encoding", ""):
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            await self.reader.readexactly(int(headers.get("content-length", "0")))
        self.max_latency = max(self.max_latency, time.monotonic() - started)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if not 200 <= status < 300:
            raise CheckFailed(f"POST /pub/{topic} answered {status}")
        if headers.get("connection") == "close" or lines[0].startswith("HTTP/1.0"):
            self.writer.close()
            self.writer = None

    def close(self) -> None:
        if self.writer:
            self.writer.close()


class NatsPublisher:
    def __init__(self, port: int):
        self.port = port
        self.conn: NatsConnection | None = None
        self.connections = 1
        self.statuses: dict[int, int] = {}
        self.max_latency = 0.0

    async def start(self) -> None:
        self.conn = await NatsConnection.connect(self.port)
        self.task = asyncio.create_task(self.conn.run(lambda payload: None))
        await self.conn.ping()

    async def publish(self, topic: str, body: bytes) -> None:
        started = time.monotonic()
        self.conn.ws.send(0x2, f"PUB {topic} {len(body)}\r\n".encode() + body + b"\r\n")
        await self.conn.ping()  # PONG after the PUB: the server has processed it
        self.max_latency = max(self.max_latency, time.monotonic() - started)
        if self.conn.errors:
            raise CheckFailed(f"NATS errors: {self.conn.errors}")

    def close(self) -> None:
        self.task.cancel()
        self.conn.ws.close()


# --- the checks ---------------------------------------------------------------------------


def message_bodies(count: int, tag: str) -> list[bytes]:
    bodies = []
    for i in range(count):
        head = f"{tag}-{i:04d} "
        kind = i % 6
        if kind == 0:
            text = head + "x" * (1024 - len(head))  # exactly 1 KiB
        elif kind == 1:
            text = head + "héllo wörld ✓ 日本語 🚀 " * 8
        elif kind == 2:
            text = head + json.dumps({"quote": 'he said "hi"', "backslash": "a\\b", "n": i})
        elif kind == 3:
            text = head + "line1\r\nline2\n\ttabbed\r\n"
        elif kind == 4:
            text = head + "".join(chr(0x20 + (j * 7 + i) % 95) for j in range(300))
        else:
            text = head.strip()
        data = text.encode("utf-8")
        assert len(data) <= 1024, len(data)
        bodies.append(data)
    return bodies


async def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise CheckFailed(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(0.02)


async def start_subscribers(kind, count: int, port: int, topic: str, prefix: str):
    subs = [kind(f"{prefix}{i}") for i in range(count)]
    gate = asyncio.Semaphore(100)

    async def one(sub):
        async with gate:
            await sub.start(port, topic)

    await asyncio.gather(*(one(s) for s in subs))
    return subs


async def warm_up(publisher, topic: str, subs, timeout: float = 60) -> int:
    sent = 0
    deadline = time.monotonic() + timeout
    while not all(s.warm() for s in subs):
        if time.monotonic() > deadline:
            cold = sum(1 for s in subs if not s.warm())
            raise CheckFailed(f"{cold} subscribers got no warm-up message in {timeout:.0f}s")
        await publisher.publish(topic, f"warmup-{sent}".encode())
        sent += 1
        await asyncio.sleep(0.1)
    return sent


def verify(subs, expected: list[bytes], old: bytes, label: str) -> None:
    problems = []
    for s in subs:
        got = s.real()
        if old in s.messages:
            problems.append(f"{s.name}: got the message published before it subscribed (backlog replay)")
        first_real = next((i for i, m in enumerate(s.messages) if not m.startswith(b"warmup-")), None)
        if first_real is not None and any(m.startswith(b"warmup-") for m in s.messages[first_real:]):
            problems.append(f"{s.name}: warm-up message after a real one (order)")
        if got != expected:
            missing = len([m for m in expected if m not in got])
            wrong_order = got != [m for m in expected if m in got]
            problems.append(
                f"{s.name}: {len(got)} messages, expected {len(expected)} ({missing} missing"
                f"{', out of order' if wrong_order else ''}"
                f"{', first difference at ' + str(next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))) })"
            )
        if s.errors:
            problems.append(f"{s.name}: {s.errors[:3]}")
        if s.closed:
            problems.append(f"{s.name}: connection closed: {s.closed}")
    if problems:
        shown = problems[:10] + ([f"... and {len(problems) - 10} more"] if len(problems) > 10 else [])
        raise CheckFailed(f"{label}:\n  " + "\n  ".join(shown))


async def run_checks(
    name: str, port: int, big_subs: int, big_messages: int, small_messages: int, stopper: "Stopper"
) -> None:
    is_nats = name == "nats"
    Sub = NatsSubscriber if is_nats else WebSocketSubscriber
    if is_nats:
        publisher = NatsPublisher(port)
        await publisher.start()
        info = publisher.conn.info
        log(
            "NATS INFO: "
            + json.dumps({k: info.get(k) for k in ("version", "go", "max_payload", "proto", "headers", "server_name")})
        )
    else:
        publisher = HttpPublisher(port)
    run = os.urandom(3).hex()
    old = f"old-{run}-published-before-anyone-subscribed".encode()

    # 1 + 2: no replay; 3 subscribers x 100 messages, exact bytes, in order; other topic quiet.
    topic, other = f"small_{run}", f"other-{run}"
    await publisher.publish(topic, old)
    subs = await start_subscribers(Sub, 3, port, topic, "small-sub-")
    ws0 = subs[0].conn.ws if is_nats else subs[0].ws
    deflate = (
        f"offered permessage-deflate accepted ({ws0.negotiated!r}) but no frame compressed"
        if ws0.negotiated
        else "offered permessage-deflate declined"
    )
    bystander = (await start_subscribers(Sub, 1, port, other, "other-topic-sub-"))[0]
    warmups = await warm_up(publisher, topic, subs)
    expected = message_bodies(small_messages, f"small-{run}")
    started = time.monotonic()
    for body in expected:
        await publisher.publish(topic, body)
    await wait_for(lambda: all(len(s.real()) >= len(expected) for s in subs), 30, "the small check's messages")
    await asyncio.sleep(0.2)  # anything extra would show up now
    elapsed = time.monotonic() - started
    verify(subs, expected, old, "small check")
    if bystander.messages or bystander.errors or bystander.closed:
        raise CheckFailed(f"subscriber of another topic got {len(bystander.messages)} messages / {bystander.errors} / {bystander.closed}")
    if publisher.connections != 1:
        raise CheckFailed(f"publisher needed {publisher.connections} connections (keep-alive broken)")
    log(
        f"small check passed: 3 subscribers x {len(expected)} messages exact and in order "
        f"({warmups} warm-up), other topic quiet, no replay, {deflate}, 1 publisher connection, "
        f"statuses {publisher.statuses}, max publish round trip {publisher.max_latency * 1000:.1f} ms, {elapsed:.2f}s"
    )
    if is_nats:
        split = sum(s.conn.split_msgs for s in subs)
        total_frames = sum(s.conn.ws.frames for s in subs)
        total_msgs = sum(len(s.messages) for s in subs)
        shared = sum(s.conn.shared_frame_ops for s in subs)
        log(
            f"NATS framing: {total_msgs} MSGs (+ INFO/PONG) arrived in {total_frames} WS frames; "
            f"{split} MSGs spanned >1 frame; {shared} ops shared a frame with an earlier op"
        )
    for s in subs + [bystander]:
        s.stop()

    # 3: many subscribers.
    topic = f"big_{run}"
    started = time.monotonic()
    subs = await start_subscribers(Sub, big_subs, port, topic, "big-sub-")
    log(f"{big_subs} subscribers connected in {time.monotonic() - started:.1f}s")
    publisher.max_latency = 0.0
    warmups = await warm_up(publisher, topic, subs, timeout=120)
    expected = message_bodies(big_messages, f"big-{run}")
    started = time.monotonic()
    for body in expected:
        await publisher.publish(topic, body)
    published = time.monotonic() - started
    await wait_for(lambda: all(len(s.real()) >= len(expected) for s in subs), 120, "the big check's messages")
    delivered = time.monotonic() - started
    await asyncio.sleep(0.3)
    verify(subs, expected, old, "big check")
    log(
        f"big check passed: {big_subs} subscribers x {len(expected)} messages exact and in order "
        f"({warmups} warm-up, publisher reconnects after an idle spell: {getattr(publisher, 'idle_reconnects', 0)}); "
        f"published in {published:.2f}s (max publish round trip "
        f"{publisher.max_latency * 1000:.1f} ms), all delivered after {delivered:.2f}s"
    )
    if is_nats:
        split = sum(s.conn.split_msgs for s in subs)
        total_frames = sum(s.conn.ws.frames for s in subs)
        total_msgs = sum(len(s.messages) for s in subs)
        shared = sum(s.conn.shared_frame_ops for s in subs)
        log(
            f"NATS framing: {total_msgs} MSGs (+ INFO/PONG) arrived in {total_frames} WS frames; "
            f"{split} MSGs spanned >1 frame; {shared} ops shared a frame with an earlier op"
        )
    # 4: stop the peer while the big check's subscribers are still connected.
    publisher.close()
    started = time.monotonic()
    await asyncio.to_thread(stopper.stop)
    stopped = time.monotonic() - started
    await wait_for(lambda: all(s.closed or s.errors for s in subs), 30, "subscribers to see the stop")
    log(f"stopped with {big_subs} subscribers connected: the server exited {stopped:.2f}s after the signal")
    for s in subs:
        s.stop()
    await asyncio.sleep(0.1)


class Stopper:
    """Sends the stop signal once and waits for start.sh's process (the server) to exit."""

    def __init__(self, proc: subprocess.Popen, sig: str):
        self.proc, self.sig = proc, sig
        self.sent = False
        self.error: str | None = None

    def stop(self) -> None:
        if self.sent:
            return
        self.sent = True
        if self.proc.poll() is not None:
            self.error = f"the peer exited by itself with {self.proc.returncode}"
            return
        self.proc.send_signal(signal.SIGINT if self.sig == "INT" else signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.error = f"the peer did not stop within 30s of SIG{self.sig}"
            self.proc.kill()
            self.proc.wait()


# --- process handling ---------------------------------------------------------------------


def free_port(need_next: bool) -> int:
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port >= 65535:
            continue
        if need_next:
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
        return port
    raise CheckFailed("no free port")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in children.get(p, []):
            found.append(c)
            todo.append(c)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except OSError:
        return False


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description="Check a fan-out peer (loadtest/peers/README.md).")
    parser.add_argument("name", choices=["nchan", "nats", "socketify", "bare"])
    parser.add_argument("--port", type=int, help="default: a free port")
    parser.add_argument("--big-subs", type=int, default=2000)
    parser.add_argument("--big-messages", type=int, default=50)
    parser.add_argument("--small-messages", type=int, default=100)
    parser.add_argument("--ready-timeout", type=float, default=1800, help="seconds (first runs install/build)")
    parser.add_argument("--stop-signal", choices=["TERM", "INT"], default="TERM", help="how to stop the peer")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.big_subs + 50 > hard:
        log(f"warning: {args.big_subs} subscribers need more descriptors than this process may have ({hard})")

    port = args.port or free_port(need_next=args.name == "nats")
    log(f"starting {args.name} on 127.0.0.1:{port}")
    proc = subprocess.Popen(["bash", str(START), args.name, str(port)], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    failed: str | None = None
    server_pids: list[int] = []
    stopper = Stopper(proc, args.stop_signal)
    try:
        started = time.monotonic()
        line = b""
        # Read stdout until `ready` (start.sh prints nothing else there) or the script exits.
        loop_deadline = started + args.ready_timeout
        os.set_blocking(proc.stdout.fileno(), False)
        buffer = b""
        while b"\n" not in buffer:
            if proc.poll() is not None:
                raise CheckFailed(f"start.sh exited with {proc.returncode} before printing ready")
            if time.monotonic() > loop_deadline:
                raise CheckFailed("start.sh did not print ready in time")
            try:
                chunk = os.read(proc.stdout.fileno(), 4096)
            except BlockingIOError:
                chunk = None
            if chunk:
                buffer += chunk
            else:
                time.sleep(0.05)
        line = buffer.split(b"\n", 1)[0]
        if line.strip() != b"ready":
            raise CheckFailed(f"start.sh printed {line!r} instead of ready")
        log(f"ready after {time.monotonic() - started:.1f}s")
        server_pids = [proc.pid] + descendants(proc.pid)
        log("processes: " + "; ".join(f"{p} {cmdline(p)}" for p in server_pids))
        asyncio.run(run_checks(args.name, port, args.big_subs, args.big_messages, args.small_messages, stopper))
    except CheckFailed as error:
        failed = str(error)
    except Exception as error:  # report, then still stop the server
        failed = f"{type(error).__name__}: {error}"
    finally:
        server_pids = sorted(set(server_pids + ([proc.pid] + descendants(proc.pid) if proc.poll() is None else [])))
        stopper.stop()  # no-op if the checks already stopped it
        failed = failed or stopper.error
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(p) for p in server_pids):
            time.sleep(0.1)
        left = [p for p in server_pids if alive(p)]
        if left:
            failed = failed or f"processes left after SIG{args.stop_signal}: " + "; ".join(f"{p} {cmdline(p)}" for p in left)
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        ports = [port, port + 1] if args.name == "nats" else [port]
        if any(port_open(p) for p in ports):
            failed = failed or f"port {ports} still accepts connections after the stop"
        if not failed:
            log(f"stopped with SIG{args.stop_signal} (exit {proc.returncode}); no process left, port closed")
            shutil.rmtree(f"/tmp/switchboard-peer-{args.name}-{port}", ignore_errors=True)
    if failed:
        log(f"FAILED ({args.name}): {failed}")
        return 1
    log(f"PASSED ({args.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
