#!/usr/bin/env bash
# bench-chat-idle.sh RELEASE_DIR [CLIENTS]: the memory of CLIENTS (5,000) idle,
# logged-in chat clients, tcp-chat next to the Node chat peer
# (../shared/peers/node/chat.js), one after the other on loopback.
#
# `loadgen chat-idle` logs the clients in, waits until every join announcement
# has arrived, holds them 2 s and reads the server's VmRSS/VmHWM from /proc.
# loadgen raises its own open-file limit; the servers get theirs raised here
# (soft limit up to the hard one), the same for both.
set -euo pipefail
release=${1:?usage: bench-chat-idle.sh RELEASE_DIR [CLIENTS]}
clients=${2:-5000}
here=$(cd "$(dirname "$0")/.." && pwd)
node_chat="$here/../shared/peers/node/chat.js"

ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((clients + 64)) ]; then
    echo "bench-chat-idle: $clients clients need $((clients + 64)) open files; the hard limit here is $(ulimit -Hn)" >&2
    exit 1
fi

# measure NAME CMD...: starts the server on port 0, waits for "listening on
# IP:PORT" (the Node peer prints "chat listening on …"), runs loadgen, stops it.
measure() {
    local name=$1 out pid addr=""
    shift
    out=$(mktemp)
    "$@" > "$out" 2> "$out.err" &
    pid=$!
    for _ in $(seq 1 100); do
        addr=$(sed -n 's/^.*listening on //p' "$out")
        [ -n "$addr" ] && break
        kill -0 "$pid" 2>/dev/null || { cat "$out.err" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$addr" ] || { echo "$name did not print its address" >&2; kill "$pid"; exit 1; }
    echo "== $name ($*), $clients idle clients"
    "$release/loadgen" chat-idle --addr "$addr" --clients "$clients" --server-pid "$pid" --secs 900 \
        || echo "$name: loadgen failed"
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
    rm -f "$out" "$out.err"
}

measure tcp-chat "$release/tcp-chat" server --port 0
if command -v node >/dev/null && [ -f "$node_chat" ]; then
    measure node node "$node_chat" 0
else
    echo "(no node or no $node_chat: the Node side is skipped)"
fi
