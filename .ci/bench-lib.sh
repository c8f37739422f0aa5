# Helpers for the `just bench-*` recipes (sourced, not run).
# start_server CMD...: starts a lesson server on port 0, waits for its
#   "listening on IP:PORT" line, sets ADDR and SERVER_PID; stops it on exit.
# report_server: prints the server's CPU time and peak RSS (VmHWM).

start_server() {
    SERVER_OUT=$(mktemp)
    "$@" > "$SERVER_OUT" 2> "$SERVER_OUT.log" &
    SERVER_PID=$!
    trap 'kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; rm -f "$SERVER_OUT" "$SERVER_OUT.log"' EXIT
    for _ in $(seq 1 100); do
        ADDR=$(sed -n 's/^listening on //p' "$SERVER_OUT")
        [ -n "$ADDR" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_OUT.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -n "$ADDR" ] || { echo "server did not print its address" >&2; exit 1; }
    echo "server: $* (pid $SERVER_PID) on $ADDR"
}

report_server() {
    local hwm ticks
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
    echo "server: peak RSS $((hwm / 1024)) MiB ($hwm KiB), CPU $((ticks / $(getconf CLK_TCK))) s"
}
