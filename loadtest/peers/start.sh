#!/usr/bin/env bash
# Start one fan-out peer server in the foreground (loadtest/peers/README.md).
#
#   bash loadtest/peers/start.sh <nchan|nats|socketify|bare> <port>
#
# Installs what the peer needs if it is missing (apt-get / pip into a venv / swift build; all
# install output goes to stderr), then execs the server listening on 127.0.0.1:<port> only,
# one worker thread, nothing logged per message, all its files under
# /tmp/switchboard-peer-<name>-<port>/. Prints the line `ready` on stdout once the port accepts
# connections. SIGTERM or SIGINT to this script's pid (the server after exec) stops it all.
#
# Environment (all optional):
#   PEER_CPUSET          pin the server to these CPUs (taskset -c, e.g. "1")
#   PEER_START_TIMEOUT   seconds to wait for the port before giving up (default 120)
#   BARE_BROADCAST_BIN   bare only: the binary (default .build/release/bare-broadcast)
#   SWITCHBOARD_PEERS_VENV  socketify only: the venv (default /tmp/switchboard-peers-venv)
set -euo pipefail

usage() {
    echo "usage: bash loadtest/peers/start.sh <nchan|nats|socketify|bare> <port>" >&2
    exit 2
}
[[ $# -eq 2 ]] || usage
name=$1
port=$2
case "$name" in nchan | nats | socketify | bare) ;; *) usage ;; esac
[[ "$port" =~ ^[0-9]+$ ]] && ((port >= 1 && port <= 65534)) || { echo "start.sh: bad port '$port'" >&2; exit 2; }

PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$PEERS_DIR/../.." && pwd)
RUN_DIR=/tmp/switchboard-peer-$name-$port
VENV=${SWITCHBOARD_PEERS_VENV:-/tmp/switchboard-peers-venv}

log() { echo "start.sh[$name]: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# --- installing --------------------------------------------------------------------------

apt_updated=0
# apt_install PACKAGE... : installs the Debian packages that are not installed yet.
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]} == 0)) && return 0
    log "installing Debian packages: ${missing[*]}"
    local apt=(apt-get)
    [[ $(id -u) -eq 0 ]] || apt=(sudo -n apt-get)
    # Without package lists (or with stale ones) the install fails: update once and retry.
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2; then
        if ((apt_updated == 0)); then
            apt_updated=1
            "${apt[@]}" update >&2 || die "apt-get update failed"
            DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2 ||
                die "apt-get install ${missing[*]} failed"
        else
            die "apt-get install ${missing[*]} failed"
        fi
    fi
}

ensure_venv() { # ensure_venv PIP_PACKAGE IMPORT_NAME
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import $2" 2>/dev/null; then
        return 0
    fi
    if [[ ! -x "$VENV/bin/python" ]]; then
        log "creating venv $VENV"
        if ! python3 -m venv "$VENV" >&2 2>/dev/null; then
            rm -rf "$VENV"
            apt_install python3 python3-venv
            /usr/bin/python3 -m venv "$VENV" >&2 || die "cannot create venv $VENV"
        fi
    fi
    log "pip install $1 into $VENV"
    "$VENV/bin/pip" install --disable-pip-version-check -q "$1" >&2 || die "pip install $1 failed"
    "$VENV/bin/python" -c "import $2" >&2 || die "$1 installed but 'import $2' fails"
}

# --- readiness ---------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints `ready` once every given port accepts connections. Runs detached (double fork, so no
# zombie is left with the server); $$ is this script's pid, which exec hands to the server. If
# the server dies first it just stops; if the ports stay closed too long it stops the server.
announce_ready_when_listening() {
    local server_pid=$$ timeout=${PEER_START_TIMEOUT:-120}
    (
        (
            deadline=$((SECONDS + timeout))
            while :; do
                all=1
                for p in "$@"; do port_open "$p" || { all=0; break; }; done
                if ((all)); then
                    echo ready
                    exit 0
                fi
                kill -0 "$server_pid" 2>/dev/null || exit 1
                if ((SECONDS >= deadline)); then
                    echo "start.sh[$name]: error: not listening on 127.0.0.1:$* after ${timeout}s; stopping it" >&2
                    kill -TERM "$server_pid" 2>/dev/null
                    exit 1
                fi
                sleep 0.05
            done
        ) &
    )
}

# --- common setup ------------------------------------------------------------------------

# As many descriptors as this machine allows (the hard limit); connection limits follow it.
hard=$(ulimit -Hn)
[[ "$hard" == unlimited ]] && hard=1048576
ulimit -n "$hard" || die "cannot raise the open-files limit to $hard"
connections=$hard

ports=("$port")
[[ "$name" == nats ]] && ports+=($((port + 1)))
for p in "${ports[@]}"; do
    port_open "$p" && die "127.0.0.1:$p is already in use"
done

mkdir -p "$RUN_DIR"
pin=()
if [[ -n "${PEER_CPUSET:-}" ]]; then
    command -v taskset >/dev/null || apt_install util-linux
    pin=(taskset -c "$PEER_CPUSET")
fi

fill_template() { # fill_template TEMPLATE OUTPUT (replaces @PORT@ @CLIENT_PORT@ @DIR@ @CONNECTIONS@ @NCHAN_MODULE@)
    sed -e "s|@PORT@|$port|g" -e "s|@CLIENT_PORT@|$((port + 1))|g" -e "s|@DIR@|$RUN_DIR|g" \
        -e "s|@CONNECTIONS@|$connections|g" -e "s|@NCHAN_MODULE@|${nchan_module:-}|g" "$1" >"$2"
}

# --- the peers ---------------------------------------------------------------------------

case "$name" in
nchan)
    apt_install nginx libnginx-mod-nchan
    nchan_module=/usr/lib/nginx/modules/ngx_nchan_module.so
    [[ -f "$nchan_module" ]] || die "$nchan_module not found after installing libnginx-mod-nchan"
    mkdir -p "$RUN_DIR"/{client_body,proxy,fastcgi,uwsgi,scgi}
    fill_template "$PEERS_DIR/nchan/nginx.conf.template" "$RUN_DIR/nginx.conf"
    nginx -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e stderr >&2 || die "nginx rejects $RUN_DIR/nginx.conf"
    announce_ready_when_listening "$port"
    exec "${pin[@]}" nginx -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -e stderr
    ;;
nats)
    apt_install nats-server
    fill_template "$PEERS_DIR/nats/nats.conf.template" "$RUN_DIR/nats.conf"
    announce_ready_when_listening "$port" "$((port + 1))"
    exec "${pin[@]}" env GOMAXPROCS=1 nats-server -c "$RUN_DIR/nats.conf"
    ;;
socketify)
    apt_install libuv1 zlib1g
    ensure_venv socketify==0.0.31 socketify
    announce_ready_when_listening "$port"
    exec "${pin[@]}" "$VENV/bin/python" -u "$PEERS_DIR/socketify_server.py" --port "$port" --host 127.0.0.1
    ;;
bare)
    cd "$REPO_ROOT"
    bin=${BARE_BROADCAST_BIN:-.build/release/bare-broadcast}
    if [[ ! -x "$bin" ]]; then
        [[ -z "${BARE_BROADCAST_BIN:-}" ]] || die "BARE_BROADCAST_BIN=$bin is not an executable"
        command -v swift >/dev/null || die "swift is not on PATH; cannot build bare-broadcast"
        log "building bare-broadcast (swift build -c release --product bare-broadcast)"
        swift build -c release --product bare-broadcast >&2 || die "swift build of bare-broadcast failed"
        [[ -x "$bin" ]] || die "$bin missing after the build"
    fi
    announce_ready_when_listening "$port"
    # One NIO event loop, which also runs every Swift task: one thread, like the others.
    exec "${pin[@]}" "$bin" --port "$port" --host 127.0.0.1 --threads 1 --nio-executor
    ;;
esac
