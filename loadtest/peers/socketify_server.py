"""socketify (uWebSockets via cffi) fan-out peer for the Switchboard load test.

GET  /sub/<topic>  WebSocket; the socket is subscribed to <topic> when it opens.
POST /pub/<topic>  body = the message; app.publish(topic, body, OpCode.TEXT), answered 202.

One process, one thread, uWS's own event loop. Started by loadtest/peers/start.sh socketify PORT
(see loadtest/peers/README.md for the limits chosen and why).
"""

import argparse
import sys

from socketify import App, AppListenOptions, CompressOptions, OpCode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--max-backpressure",
        type=int,
        default=1024 * 1024,
        help="bytes queued for one subscriber before it is closed as a slow consumer",
    )
    args = parser.parse_args()

    app = App()

    def ws_upgrade(res, req, socket_context):
        topic = req.get_parameter(0)
        res.upgrade(
            req.get_header("sec-websocket-key"),
            req.get_header("sec-websocket-protocol"),
            # No permessage-deflate: compression is DISABLED below, so no extension is accepted.
            req.get_header("sec-websocket-extensions"),
            socket_context,
            topic,
        )

    def ws_open(ws):
        ws.subscribe(ws.get_user_data())

    def ws_message(ws, message, opcode):
        pass  # subscribers only listen

    app.ws(
        "/sub/:topic",
        {
            "compression": CompressOptions.DISABLED,
            "max_payload_length": 16 * 1024,
            # uWS defaults for a server: idle 120 s with automatic pings (clients answer pongs).
            "idle_timeout": 120,
            "send_pings_automatically": True,
            # A subscriber with more than this many bytes unsent is closed (like NATS's slow
            # consumer), rather than silently losing messages: uWS drops sends past the limit.
            "max_backpressure": args.max_backpressure,
            "close_on_backpressure_limit": True,
            "upgrade": ws_upgrade,
            "open": ws_open,
            "message": ws_message,
        },
    )

    def publish(res, req):
        topic = req.get_parameter(0)
        chunks = []

        def on_data(res, chunk, is_end):
            if chunk:
                chunks.append(chunk)
            if is_end:
                app.publish(topic, b"".join(chunks), OpCode.TEXT)
                res.write_status(202).end("")

        res.on_data(on_data)

    app.post("/pub/:topic", publish)
    app.any("/*", lambda res, req: res.write_status(404).end("not found\n"))

    listening = []
    app.listen(
        AppListenOptions(port=args.port, host=args.host),
        lambda config: listening.append(config),
    )
    if not listening:
        print(f"socketify_server: cannot listen on {args.host}:{args.port}", file=sys.stderr)
        return 1
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
