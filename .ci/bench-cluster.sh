#!/usr/bin/env bash
# bench-cluster.sh RELEASE_DIR [CLIENTS] [MSGS]: chapter 7's cluster next to
# one node alone, in one run, on loopback (`just bench-cluster`):
#   (a) one tcp-chat node alone: CLIENTS (50) clients x MSGS (200) broadcasts,
#       unpaced, then paced at 1,000 msg/s (its p99, to read (c) against);
#   (b) two tcp-chat nodes on one Redis, the same load, the clients spread
#       over both (`--addr A --addr B`): deliveries/s, and (b) / (a);
#   (c) the same two nodes, paced at 1,000 msg/s in all: delivery p99;
#   (d) each node's peak RSS (VmHWM).
# Targets (issue 13): (b) >= 0.5x (a); (c) p99 <= 3 ms; (d) <= 16 MiB.
# Redis is this script's own: a redis-server on a Unix socket in a temporary
# directory, no persistence, stopped by its PID, like everything it starts.
set -euo pipefail
release=${1:?usage: bench-cluster.sh RELEASE_DIR [CLIENTS] [MSGS]}
clients=${2:-50}
msgs=${3:-200}
command -v redis-server > /dev/null || {
    echo "bench-cluster needs redis-server: sudo apt-get install redis-server" >&2
    exit 1
}

tmp=$(mktemp -d)
pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
    rm -rf "$tmp"
}
trap stop_all EXIT

# wait_for FILE PATTERN PID: until FILE has a line matching PATTERN (at most 10 s).
wait_for() {
    for _ in $(seq 1 100); do
        grep -qi "$2" "$1" 2> /dev/null && return 0
        kill -0 "$3" 2> /dev/null || { cat "$1" "$1.err" 2> /dev/null >&2; exit 1; }
        sleep 0.1
    done
    echo "timed out waiting for '$2' in $1" >&2
    exit 1
}

redis-server --port 0 --unixsocket "$tmp/redis.sock" --unixsocketperm 700 \
    --save '' --appendonly no --dir "$tmp" > "$tmp/redis.log" 2>&1 &
pids+=($!)
wait_for "$tmp/redis.log" "ready to accept connections" "$!"
url="unix://$tmp/redis.sock"
echo "redis: $(redis-server --version | cut -d' ' -f3) on $url (pid ${pids[-1]})"

# node NAME ARGS...: starts a tcp-chat server on port 0; sets ADDR and PID.
node() {
    local name=$1
    shift
    "$release/tcp-chat" server --port 0 "$@" > "$tmp/$name.out" 2> "$tmp/$name.out.err" &
    PID=$!
    pids+=("$PID")
    wait_for "$tmp/$name.out" "^listening on " "$PID"
    ADDR=$(sed -n 's/^listening on //p' "$tmp/$name.out")
    echo "$name: tcp-chat server --port 0 $* (pid $PID) on $ADDR"
}

# rss PID: peak resident memory so far, in KiB.
rss() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# load ARGS...: runs loadgen chat (bounded: --secs 20, twice what the paced
# run needs), shows its report, and leaves it in $tmp/load.txt.
load() {
    echo "== loadgen chat $*"
    "$release/loadgen" chat "$@" --secs 20 | tee "$tmp/load.txt"
}
delivered() { sed -n 's/.*(\([0-9]*\/[0-9]*\) delivered.*/\1/p' "$tmp/load.txt" | head -1; }
per_sec() { awk '/deliveries\/s/ {print $1; exit}' "$tmp/load.txt"; }
p99() { sed -n 's/.*p99 \([0-9.]*\) *ms.*/\1/p' "$tmp/load.txt" | head -1; }

echo
echo "== (a) one node alone, $clients clients x $msgs broadcasts"
node single
single_pid=$PID
load --addr "$ADDR" --clients "$clients" --msgs "$msgs"
single=$(per_sec) single_delivered=$(delivered)
echo "-- and paced at 1,000 msg/s, for (c) to be read against"
load --addr "$ADDR" --clients "$clients" --msgs "$msgs" --rate 1000
single_p99=$(p99)
single_rss=$(rss "$single_pid")
kill "$single_pid"

echo
echo "== (b) two nodes on one Redis, the clients spread over both"
node node-1 --redis "$url"
a_pid=$PID a_addr=$ADDR
node node-2 --redis "$url"
b_pid=$PID b_addr=$ADDR
load --addr "$a_addr" --addr "$b_addr" --clients "$clients" --msgs "$msgs"
cluster=$(per_sec) cluster_delivered=$(delivered)

echo
echo "== (c) the same two nodes, paced at 1,000 msg/s in all"
load --addr "$a_addr" --addr "$b_addr" --clients "$clients" --msgs "$msgs" --rate 1000
paced_p99=$(p99)

echo
echo "== summary (targets: cluster >= 0.5x single, paced p99 <= 3 ms, each node <= 16 MiB)"
ratio=$(awk -v c="$cluster" -v s="$single" 'BEGIN {printf "%.2f", c / s}')
echo "(a) single node:  $single deliveries/s ($single_delivered delivered); paced p99 ${single_p99:-?} ms; peak RSS $(mib "$single_rss") MiB"
echo "(b) two nodes:    $cluster deliveries/s ($cluster_delivered delivered) = ${ratio}x single"
echo "(c) paced 1,000/s across the nodes: delivery p99 ${paced_p99:-?} ms"
echo "(d) peak RSS: node-1 $(mib "$(rss "$a_pid")") MiB, node-2 $(mib "$(rss "$b_pid")") MiB"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
