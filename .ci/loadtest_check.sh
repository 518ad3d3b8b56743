#!/usr/bin/env bash
# A small run of every loadtest scenario against the README's server (demo data, demo traffic
# running), checking correctness only: each scenario exits non-zero on a violation (a list that
# differs from a fresh snapshot, a sequence gap or repeat, a version going back, two winners),
# then `seed --direct --verify` on the same database. No timing is asserted.
# Usage: .ci/loadtest_check.sh <build dir, e.g. .build/debug>
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug}
dir=$(mktemp -d /tmp/switchboard-loadcheck.XXXXXX)
port=18181
"$bin/switchboard" serve --demo --port $port --data-dir "$dir/data" --bcrypt-cost 4 --demo-conversations 300 \
  --web-root none > "$dir/server.log" 2>&1 &
server=$!
cleanup() { kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 180); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$dir/server.log"; exit 1; }

run() {
  echo "-- loadtest $*"
  if ! timeout 600 "$bin/loadtest" "$@" --port $port --server-pid $server; then
    echo "FAILED: loadtest $*"; tail -20 "$dir/server.log"; exit 1
  fi
}
run hold --agents 60 --accounts 12 --idle-seconds 2 --track-every 1
run fanout --subscribers 60 --accounts 12 --rates 10,20 --seconds 3 --conversations 40 --track-every 1 --tabs
run claim-storm --agents 25 --conversations 60
run workday --agents 25 --customer-rate 10 --action-rate 1 --seconds 6 --conversations 40
run snapshot --sockets 5 --rounds 6 --accounts 5
BARE_BROADCAST_BIN="$bin/bare-broadcast" run peers --targets switchboard,bare --subscribers 30 --rate 20 --seconds 2

# `seed --direct` on this run's database: stop the server, write 2,000 conversations into the
# file, check every conversation of the workspace (invariants by SQL, the store's lists and
# counts against the filter predicate), start again and take snapshots of the grown workspace.
echo "-- loadtest seed --direct --verify"
kill -TERM $server; wait $server || true
if ! timeout 300 "$bin/loadtest" seed --direct --verify --data-dir "$dir/data" --conversations 2000; then
  echo "FAILED: loadtest seed --direct"; exit 1
fi
"$bin/switchboard" serve --demo --port $port --data-dir "$dir/data" --bcrypt-cost 4 --demo-conversations 300 \
  --web-root none >> "$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
run snapshot --sockets 5 --rounds 4 --accounts 5

# Bad options are refused with a message, before anything is built.
if "$bin/loadtest" store-claims --racers 0 --database "$dir/never.sqlite" > "$dir/bad.txt" 2>&1 || ! grep -q -- "--racers" "$dir/bad.txt"; then
  echo "FAILED: store-claims --racers 0 was not refused clearly"; cat "$dir/bad.txt"; exit 1
fi
test ! -e "$dir/never.sqlite" || { echo "FAILED: a refused store-claims created its database"; exit 1; }

# The claim race through the store alone (no server): one winner per conversation, store agrees.
echo "-- loadtest store-claims"
if ! timeout 300 "$bin/loadtest" store-claims --conversations 300 --racers 50 --targets 100 --rounds 2 --database "$dir/claims.sqlite"; then
  echo "FAILED: loadtest store-claims"; exit 1
fi
echo "loadtest scenarios: all correct"
