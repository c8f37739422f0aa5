# net-lessons: the Node.js networking tutorial, chapter by chapter, in Rust.
# `just --list` is the course index: each recipe says which lesson it starts.

set positional-arguments

# Lesson recipes are [no-exit-message]: Ctrl-C is how you stop a lesson, and
# the server says goodbye itself; just need not add "error: … signal 2".

# No `cargo -q`: a first build takes minutes, and a silent one looks hung on
# a projector. Cargo's progress goes to stderr; a server's `listening on`
# line still comes alone on stdout.

# Lesson recipes say `cargo run --bin X` or `--example Y` (example names are
# unique across the workspace: a test checks), and `just setup` builds each
# of those one by one. Cargo builds a dependency differently for different
# selections (with -p X, the features X alone needs; a crate a proc macro
# shares with the program, or not; dev-dependencies for examples), so only
# the very same selection is sure to find its build done in class.

# Where `cargo build --release` puts the binaries: CARGO_TARGET_DIR if set,
# else target/ here (a target-dir set in a cargo config file is not seen).
# Nothing runs to find it: a lesson recipe needs only just, cargo and sh.
release := env('CARGO_TARGET_DIR', justfile_directory() / 'target') / 'release'

# List the recipes (the course index, in course order)
[private]
default:
    @just --list --unsorted

# Run first, before class: download every crate (then no internet is needed) and build every lesson, seed and demo
[group('before class')]
setup:
    @echo '== 1/2 cargo fetch: downloading every crate the lessons use, so they build without internet later (a few minutes the first time)'
    @cargo fetch
    @echo '== 2/2 cargo build --bin X / --example Y for each lesson and seed, as its recipe runs it, in course order (a few minutes the first time, seconds after)'
    @grep -o '^    @cargo run --[a-z]* [a-z0-9-]*' justfile | awk '!seen[$0]++' | while read -r _ _ kind name; do cargo build "$kind" "$name" || exit 1; done
    @echo '== ready: `just` lists the lessons in course order; `just demo --step` runs every demo, Enter for each next step'

# Is it an IP address? net.isIP / isIPv4 / isIPv6 with Rust's IpAddr
[group('ch1 concepts')]
[no-exit-message]
ch1-is-ip *addrs:
    @cargo run --bin concepts -- is-ip "$@"

# Which of IANA's three port ranges each PORT is in (the seed gives two)
[group('ch1 concepts')]
[no-exit-message]
ch1-port *ports:
    @cargo run --bin concepts -- port "$@"

# The chapter's examples in one go: which strings are IP addresses, which range each port is in
[group('ch1 concepts')]
[no-exit-message]
ch1-concepts-demo *args:
    @cargo run --bin concepts -- demo "$@"

# The seed's echo server in Rust, one short file (crates/tcp-echo/examples/echo-server.rs); then: nc 127.0.0.1 8124
[group('ch2 TCP')]
[no-exit-message]
ch2-echo-seed *args:
    @cargo run --example echo-server -- "$@"

# The seed's echo client in Rust (crates/tcp-echo/examples/echo-client.rs): sends "world!", prints the echo
[group('ch2 TCP')]
[no-exit-message]
ch2-echo-seed-client *args:
    @cargo run --example echo-client -- "$@"

# TCP echo server on 127.0.0.1:8124; then, in a second terminal: nc 127.0.0.1 8124
[group('ch2 TCP')]
[no-exit-message]
ch2-echo *args:
    @cargo run --bin tcp-echo -- server "$@"

# The lesson's echo client: connects, sends "world!" (or your MESSAGE), prints what comes back
[group('ch2 TCP')]
[no-exit-message]
ch2-echo-client *args:
    @cargo run --bin tcp-echo -- client "$@"

# The echo lesson in one process: server and clients on loopback, both sides narrated
[group('ch2 TCP')]
[no-exit-message]
ch2-echo-demo *args:
    @cargo run --bin tcp-echo -- demo "$@"

# The seed's chat room in one file (crates/tcp-chat/examples/chat-server.rs) on 127.0.0.1:8125; then: nc 127.0.0.1 8125
[group('ch2 TCP')]
[no-exit-message]
ch2-chat-seed *args:
    @cargo run --example chat-server -- "$@"

# TCP chat room on 127.0.0.1:8125; then, in other terminals: just ch2-chat-client NAME, or nc 127.0.0.1 8125
[group('ch2 TCP')]
[no-exit-message]
ch2-chat *args:
    @cargo run --bin tcp-chat -- server "$@"

# Join the chat room [as NAME; asked for if left out]: a line goes to everyone, "@bob hi" to bob only, /users, /quit; --host IP for the teacher's
[group('ch2 TCP')]
[no-exit-message]
ch2-chat-client *args:
    @cargo run --bin tcp-chat -- client "$@"

# The chat lesson in one process: the server and three scripted clients, every JSON line shown
[group('ch2 TCP')]
[no-exit-message]
ch2-chat-demo *args:
    @cargo run --bin tcp-chat -- demo "$@"

# The seed's UDP server in Rust (crates/udp-unicast/examples/unicast-server.rs) on 127.0.0.1:3000; then: just ch3-unicast-seed-client
[group('ch3 UDP')]
[no-exit-message]
ch3-unicast-seed *args:
    @cargo run --example unicast-server -- "$@"

# The seed's UDP client in Rust (crates/udp-unicast/examples/unicast-client.rs): "hello" to 127.0.0.1:3000, prints the reply
[group('ch3 UDP')]
[no-exit-message]
ch3-unicast-seed-client *args:
    @cargo run --example unicast-client -- "$@"

# The seed's broadcast sender in Rust (crates/udp-broadcast/examples/broadcast-sender.rs): "hello" to 127.255.255.255:8000 every 2 s
[group('ch3 UDP')]
[no-exit-message]
ch3-broadcast-seed *args:
    @cargo run --example broadcast-sender -- "$@"

# The seed's broadcast receiver in Rust (crates/udp-broadcast/examples/broadcast-receiver.rs) on 127.255.255.255:8000 (start two)
[group('ch3 UDP')]
[no-exit-message]
ch3-broadcast-seed-receiver *args:
    @cargo run --example broadcast-receiver -- "$@"

# The seed's multicast sender in Rust (crates/udp-multicast/examples/multicast-sender.rs): "hello" to 224.0.1.100:8000 via 127.0.0.1
[group('ch3 UDP')]
[no-exit-message]
ch3-multicast-seed *args:
    @cargo run --example multicast-sender -- "$@"

# The seed's multicast receiver in Rust (crates/udp-multicast/examples/multicast-receiver.rs): joins 224.0.1.100 on 127.0.0.1 (start two)
[group('ch3 UDP')]
[no-exit-message]
ch3-multicast-seed-receiver *args:
    @cargo run --example multicast-receiver -- "$@"

# UDP unicast server on 127.0.0.1:3000: prints each datagram, answers "world"; then: just ch3-unicast-client
[group('ch3 UDP')]
[no-exit-message]
ch3-unicast *args:
    @cargo run --bin udp-unicast -- server "$@"

# The lesson's UDP client: binds port 8000, sends "hello" to 127.0.0.1:3000, prints the reply (or says why none came)
[group('ch3 UDP')]
[no-exit-message]
ch3-unicast-client *args:
    @cargo run --bin udp-unicast -- client "$@"

# The unicast lesson in one process: server and clients on loopback, both sides narrated
[group('ch3 UDP')]
[no-exit-message]
ch3-unicast-demo *args:
    @cargo run --bin udp-unicast -- demo "$@"

# Broadcast "hello #N" to 127.255.255.255:8000 every 2 s (--count N, --to for a LAN)
[group('ch3 UDP')]
[no-exit-message]
ch3-broadcast *args:
    @cargo run --bin udp-broadcast -- sender "$@"

# A broadcast receiver on 127.255.255.255:8000 (start two: they share the port); counts what is missing
[group('ch3 UDP')]
[no-exit-message]
ch3-broadcast-receiver *args:
    @cargo run --bin udp-broadcast -- receiver "$@"

# The broadcast lesson in one process: two receivers and a sender on loopback, narrated
[group('ch3 UDP')]
[no-exit-message]
ch3-broadcast-demo *args:
    @cargo run --bin udp-broadcast -- demo "$@"

# Multicast "hello #N" to group 224.0.1.100:8000 out of interface 127.0.0.1 every 2 s (--count N)
[group('ch3 UDP')]
[no-exit-message]
ch3-multicast *args:
    @cargo run --bin udp-multicast -- sender "$@"

# A member of 224.0.1.100 on port 8000 via 127.0.0.1 (start two; --leave-after N drops membership)
[group('ch3 UDP')]
[no-exit-message]
ch3-multicast-receiver *args:
    @cargo run --bin udp-multicast -- receiver "$@"

# The multicast lesson in one process: two members and a sender on loopback, narrated
[group('ch3 UDP')]
[no-exit-message]
ch3-multicast-demo *args:
    @cargo run --bin udp-multicast -- demo "$@"

# The ch3 lab: two sockets on one port per mode; unicast reaches one of them, broadcast and multicast both (--lang, --count go to all three)
[group('ch3 UDP')]
[no-exit-message]
ch3-lab *args:
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --bin udp-unicast
    cargo build --bin udp-broadcast
    cargo build --bin udp-multicast
    # The opening line in the labs' language (LC_ALL, LC_MESSAGES, LANG;
    # `--lang` among the arguments wins), as `just demo` chooses it.
    locale="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
    case " $* " in *" --lang zh"*|*" --lang=zh"*) locale=zh ;; *" --lang en"*|*" --lang=en"*) locale=en ;; esac
    if [[ $locale == zh* ]]; then
        echo "第 3 章实验：每种方式都让两个接收端在回环地址上共用一个端口，看看谁收到了什么"
    else
        echo "ch3 lab: for each mode, two receivers share one port on loopback; who gets what?"
    fi
    cargo run --bin udp-unicast -- lab "$@"
    cargo run --bin udp-broadcast -- lab "$@"
    cargo run --bin udp-multicast -- lab "$@"

# The seed's Hello World over HTTP on 127.0.0.1:3000; then: curl -i http://127.0.0.1:3000/
[group('ch4 HTTP')]
[no-exit-message]
ch4-hello *args:
    @cargo run --example hello -- "$@"

# The seed's routes (/, /a, /b, else 404) on 127.0.0.1:3000; then: curl http://127.0.0.1:3000/a
[group('ch4 HTTP')]
[no-exit-message]
ch4-routes *args:
    @cargo run --example routes -- "$@"

# The seed's HTML page (assets/index.html for every request) on 127.0.0.1:3000
[group('ch4 HTTP')]
[no-exit-message]
ch4-html *args:
    @cargo run --example html -- "$@"

# The routes step once more in axum, a framework (crates/http-static/examples/axum-routes.rs) on 127.0.0.1:3000
[group('ch4 HTTP')]
[no-exit-message]
ch4-axum-routes *args:
    @cargo run --example axum-routes -- "$@"

# Static file server for assets/ on 127.0.0.1:3000; then open http://127.0.0.1:3000/ (--list, --root DIR; --tls: https://)
[group('ch4 HTTP')]
[no-exit-message]
ch4-static *args:
    @cargo run --bin http-static -- "$@"

# The static server lesson in one process: a client gets 200, 304, 206, 404, 403 and 405, each explained
[group('ch4 HTTP')]
[no-exit-message]
ch4-static-demo *args:
    @cargo run --bin http-static -- demo "$@"

# The seed's template step in Rust (crates/http-template/examples/todos.rs): the todo page on 127.0.0.1:3000
[group('ch4 HTTP')]
[no-exit-message]
ch4-todos-seed *args:
    @cargo run --example todos -- "$@"

# Template pages and a SQLite guestbook on 127.0.0.1:3000; then open http://127.0.0.1:3000/guestbook (--reload: edit templates live)
[group('ch4 HTTP')]
[no-exit-message]
ch4-template *args:
    @cargo run --bin http-template -- "$@"

# The template lesson in one process (a temporary database): the todo page, a post and its redirect, the guestbook, a rejected post
[group('ch4 HTTP')]
[no-exit-message]
ch4-template-demo *args:
    @cargo run --bin http-template -- demo "$@"

# Chapter 5's first step (crates/https-server/examples/https-hello.rs): hello world over HTTPS with a certificate made in memory; it prints the curl line that trusts it
[group('ch5 HTTPS')]
[no-exit-message]
ch5-https-hello *args:
    @cargo run --example https-hello -- "$@"

# HTTPS on https://localhost:8443/ (HTTP/2 and HTTP/1.1); makes a local CA in certs/ on first run (--san IP for a classroom, --redirect-from 8080, --hsts)
[group('ch5 HTTPS')]
[no-exit-message]
ch5-https *args:
    @cargo run --bin https-server -- serve "$@"

# A friendly `openssl s_client`: the handshake and certificate chain of HOST:PORT (--cacert certs/ca.pem to trust the local CA)
[group('ch5 HTTPS')]
[no-exit-message]
ch5-https-inspect target *args:
    @cargo run --bin https-server -- inspect "$@"

# The HTTPS lesson in one process: certificates made, trusted and untrusted clients, a wrong name, plain HTTP, the redirect
[group('ch5 HTTPS')]
[no-exit-message]
ch5-https-demo *args:
    @cargo run --bin https-server -- demo "$@"

# The seed's WebSocket echo service in Rust (crates/ws-chat/examples/websocket-echo.rs) on ws://127.0.0.1:3000
[group('ch6 WebSocket')]
[no-exit-message]
ch6-echo-seed *args:
    @cargo run --example websocket-echo -- "$@"

# The seed's simplest WebSocket chat in Rust (crates/ws-chat/examples/websocket-chat.rs): each message to everyone
[group('ch6 WebSocket')]
[no-exit-message]
ch6-chat-seed *args:
    @cargo run --example websocket-chat -- "$@"

# WebSocket chat room and its page on 127.0.0.1:3000; then open http://127.0.0.1:3000/ in two browser windows (--tls: https://)
[group('ch6 WebSocket')]
[no-exit-message]
ch6-ws-chat *args:
    @cargo run --bin ws-chat -- "$@"

# The WebSocket lesson in one process: the server and scripted clients, every frame shown
[group('ch6 WebSocket')]
[no-exit-message]
ch6-ws-demo *args:
    @cargo run --bin ws-chat -- demo "$@"

# Chapter 7: a Redis for the cluster on 127.0.0.1:6379, in the foreground, nothing saved (or the one already answering there); Ctrl-C stops it
[group('ch7 cluster')]
[no-exit-message]
redis *args:
    #!/usr/bin/env bash
    set -euo pipefail
    locale="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
    case " $* " in *" --lang zh"*|*" --lang=zh"*) locale=zh ;; *" --lang en"*|*" --lang=en"*) locale=en ;; esac
    say() { if [[ $locale == zh* ]]; then echo "$2"; else echo "$1"; fi; }
    # Does a Redis answer on 6379? Redis's PING, written with bash's own /dev/tcp.
    if timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && head -c 5 <&3' 2> /dev/null | grep -q PONG; then
        say "a Redis already answers on 127.0.0.1:6379 (Debian's redis-server package starts one as a service): the lessons will use that one, nothing to start" \
            "127.0.0.1:6379 上已经有一个 Redis 在应答了（Debian 的 redis-server 软件包安装后会作为系统服务启动一个）：课程就用它，不用再启动"
        exit 0
    fi
    command -v redis-server > /dev/null || {
        say "redis-server is not installed: sudo apt-get install redis-server" "没有安装 redis-server：sudo apt-get install redis-server" >&2
        exit 1
    }
    say "Redis on 127.0.0.1:6379, only this machine, nothing saved to disk; Ctrl-C stops it" \
        "Redis 监听在 127.0.0.1:6379，只有本机能连，不往磁盘保存任何东西；按 Ctrl-C 停止"
    exec redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no

# Chapter 7: one room on three servers: Redis (if none answers on 6379), tcp-chat on 8125 and 8126, ws-chat on 3000; prints how to join each; Ctrl-C stops them all (--host, --lang passed on)
[group('ch7 cluster')]
[no-exit-message]
ch7-cluster *args:
    #!/usr/bin/env bash
    set -euo pipefail
    host=127.0.0.1
    lang=()
    while (($#)); do
        case $1 in
            --host) host=${2:?--host needs an address}; shift 2 ;;
            --host=*) host=${1#*=}; shift ;;
            --lang) lang=(--lang "${2:?--lang needs zh-CN or en}"); shift 2 ;;
            --lang=*) lang=("$1"); shift ;;
            *) echo "ch7-cluster takes --host ADDR and --lang zh-CN|en, not $1" >&2; exit 2 ;;
        esac
    done
    locale="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
    case " ${lang[*]:-} " in *" --lang zh"*|*"--lang=zh"*) locale=zh ;; *" --lang en"*|*"--lang=en"*) locale=en ;; esac
    say() { if [[ $locale == zh* ]]; then echo "$2"; else echo "$1"; fi; }
    # Built first (as `just setup` builds them), so that the three start at once.
    cargo build --bin tcp-chat
    cargo build --bin ws-chat
    bin="${CARGO_TARGET_DIR:-{{justfile_directory()}}/target}/debug"
    tmp=$(mktemp -d)
    pids=()
    # Ctrl-C (or any exit): stop every process started here, by its PID.
    stop_all() {
        trap - EXIT INT TERM
        for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
        for pid in "${pids[@]}"; do wait "$pid" 2> /dev/null || true; done
        rm -rf "$tmp"
        say "ch7-cluster: every node stopped" "ch7-cluster：所有节点都已停止"
    }
    trap stop_all EXIT
    trap 'exit 130' INT TERM
    redis_answers() {
        timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/6379 && printf "PING\r\n" >&3 && head -c 5 <&3' 2> /dev/null | grep -q PONG
    }
    # until CHECK... : runs CHECK every 0.1 s, 10 s at most.
    until_ready() {
        for _ in $(seq 1 100); do "$@" && return 0; sleep 0.1; done
        return 1
    }
    if redis_answers; then
        say "redis  | a Redis already answers on 127.0.0.1:6379: the nodes use that one" \
            "redis  | 127.0.0.1:6379 上已经有 Redis 在应答：各节点就用它"
    else
        command -v redis-server > /dev/null || {
            say "redis-server is not installed: sudo apt-get install redis-server" "没有安装 redis-server：sudo apt-get install redis-server" >&2
            exit 1
        }
        # Its log in a file, shown only if it fails to start.
        redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --dir "$tmp" > "$tmp/redis.log" 2>&1 &
        pids+=($!)
        until_ready redis_answers || {
            cat "$tmp/redis.log" >&2
            say "redis-server did not start" "redis-server 没有启动起来" >&2
            exit 1
        }
        say "redis  | started on 127.0.0.1:6379, nothing saved to disk" "redis  | 已在 127.0.0.1:6379 启动，不往磁盘保存任何东西"
    fi
    url=redis://127.0.0.1:6379
    # node LABEL PROGRAM ARGS...: starts a node; its log lines marked LABEL
    # (by a sed that ignores Ctrl-C, so that the nodes' last lines show too).
    node() {
        local label=$1
        shift
        "$@" --host "$host" --redis "$url" "${lang[@]}" > "$tmp/$label.out" \
            2> >(trap '' INT; exec sed -u "s/^/$label | /" >&2) &
        local pid=$!
        pids+=("$pid")
        until_ready grep -q '^listening on ' "$tmp/$label.out" || {
            say "$label did not start (its log is above)" "$label 没有启动起来（日志在上面）" >&2
            exit 1
        }
        echo "$label | $(head -1 "$tmp/$label.out")"
    }
    node "node A" "$bin/tcp-chat" server --port 8125
    node "node B" "$bin/tcp-chat" server --port 8126
    node "node C" "$bin/ws-chat" --port 3000
    echo
    say "one chat room, three servers: join it from other terminals and a browser" "一个聊天室，三个服务端（节点）：在其他终端和浏览器里加入"
    say "  node A (tcp-chat): just ch2-chat-client NAME               or  nc 127.0.0.1 8125" \
        "  节点 A（tcp-chat）：just ch2-chat-client 昵称               或者 nc 127.0.0.1 8125"
    say "  node B (tcp-chat): just ch2-chat-client NAME --port 8126   or  nc 127.0.0.1 8126" \
        "  节点 B（tcp-chat）：just ch2-chat-client 昵称 --port 8126   或者 nc 127.0.0.1 8126"
    say "  node C (ws-chat):  http://127.0.0.1:3000/ in a browser" \
        "  节点 C（ws-chat）：在浏览器里打开 http://127.0.0.1:3000/"
    say "Ctrl-C stops them all." "按 Ctrl-C 全部停止。"
    # Until Ctrl-C. A node that ends (the chapter's `kill -9` step) leaves the
    # others running, as a cluster should.
    wait "${pids[@]}"

# The cluster in one command: its own Redis, two tcp-chat nodes and a ws-chat node as processes; alice, bob and carol chat across them, then a node is killed (needs redis-server)
[group('ch7 cluster')]
[no-exit-message]
ch7-demo *args:
    @cargo build --bin tcp-chat
    @cargo build --bin ws-chat
    @cargo run --bin chat-cluster -- demo "$@"

# Every lesson's demo in course order, each under a heading; `just demo --step` waits for Enter before each next step
[group('course')]
[no-exit-message]
demo *args:
    #!/usr/bin/env bash
    set -euo pipefail
    # The headings in the terminal's language, as the demos themselves speak
    # it (LC_ALL, LC_MESSAGES, LANG; `--lang` among the arguments wins).
    locale="${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}"
    case " $* " in *" --lang zh"*|*" --lang=zh"*) locale=zh ;; *" --lang en"*|*" --lang=en"*) locale=en ;; esac
    # One lesson: a heading, its own `just chN-…-demo` recipe with this recipe's arguments, a blank line.
    lesson() {
        local recipe=$1 title=$2
        [[ $locale == zh* ]] && title=$3
        shift 3
        echo "=========================================================================="
        echo "== $title =="
        "{{just_executable()}}" --justfile "{{justfile()}}" "$recipe" "$@" || {
            local status=$?
            if [[ $locale == zh* ]]; then
                echo "== $title：演示中途停止了（退出码 $status）；\`just $recipe\` 可以单独运行它" >&2
            else
                echo "== $title: the demo stopped (exit status $status); \`just $recipe\` runs it alone" >&2
            fi
            exit "$status"
        }
        echo
    }
    lesson ch1-concepts-demo "ch1 concepts: IP addresses and ports (concepts demo)" "第 1 章 基本概念：IP 地址和端口（concepts demo）" "$@"
    lesson ch2-echo-demo "ch2 TCP: echo (tcp-echo demo)" "第 2 章 TCP：回显服务（tcp-echo demo）" "$@"
    lesson ch2-chat-demo "ch2 TCP: chat room (tcp-chat demo)" "第 2 章 TCP：聊天室（tcp-chat demo）" "$@"
    lesson ch3-unicast-demo "ch3 UDP: unicast (udp-unicast demo)" "第 3 章 UDP：单播（udp-unicast demo）" "$@"
    lesson ch3-broadcast-demo "ch3 UDP: broadcast (udp-broadcast demo)" "第 3 章 UDP：广播（udp-broadcast demo）" "$@"
    lesson ch3-multicast-demo "ch3 UDP: multicast (udp-multicast demo)" "第 3 章 UDP：组播（udp-multicast demo）" "$@"
    lesson ch4-static-demo "ch4 HTTP: static files (http-static demo)" "第 4 章 HTTP：静态文件服务（http-static demo）" "$@"
    lesson ch4-template-demo "ch4 HTTP: templates and a guestbook (http-template demo)" "第 4 章 HTTP：模板和留言板（http-template demo）" "$@"
    lesson ch5-https-demo "ch5 HTTPS: TLS, certificates and trust (https-server demo)" "第 5 章 HTTPS：TLS、证书和信任（https-server demo）" "$@"
    lesson ch6-ws-demo "ch6 WebSocket: chat room (ws-chat demo)" "第 6 章 WebSocket：聊天室（ws-chat demo）" "$@"
    echo "=========================================================================="
    if [[ $locale == zh* ]]; then echo "== 10 个演示全部完成"; else echo "== all 10 demos done"; fi

# Build the pages as two books (English, and 中文 under /zh-CN/) and serve them on 127.0.0.1:PORT; installs mdbook and mdbook-mermaid with cargo if missing
[group('course')]
[no-exit-message]
book port='3000':
    #!/usr/bin/env bash
    set -euo pipefail
    # Pinned: these two versions work together (mdbook-mermaid 0.17 is built for mdbook 0.5).
    mdbook --version 2> /dev/null | grep -q 'v0.5.4' || cargo install --locked mdbook --version 0.5.4
    mdbook-mermaid --version 2> /dev/null | grep -q '0.17.1' || cargo install --locked mdbook-mermaid --version 0.17.1
    # The book's own copy of mermaid (no CDN: the diagrams draw offline too).
    mdbook-mermaid install docs > /dev/null
    mdbook-mermaid install docs/zh-CN > /dev/null
    mdbook build docs 2> /dev/null          # -> target/book
    mdbook build docs/zh-CN 2> /dev/null    # -> target/book/zh-CN
    echo "the books: http://127.0.0.1:{{port}}/ (English) and http://127.0.0.1:{{port}}/zh-CN/ (中文); Ctrl-C stops"
    # Served by chapter 4's static file server.
    cargo run --bin http-static -- --root target/book --port {{port}}

# The whole test suite that needs only Rust (the README's first test command)
[group('course')]
test:
    cargo test --workspace

# Every test, the ignored ones too (the browser test needs chromium and chromium-driver), as CI runs them
[group('course')]
test-all:
    cargo test --workspace -- --include-ignored

# Formatting and clippy with warnings as errors, as CI checks them
[group('course')]
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Benchmark tcp-echo: 50 conns x 1 KiB ping-pong, then 1 bulk stream (release, loopback)
[group('course benchmarks')]
bench-echo secs='5':
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p tcp-echo -p loadgen
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "{{release}}/tcp-echo" server --port 0
    "{{release}}/loadgen" echo --addr "$ADDR" --conns 50 --size 1024 --secs "{{secs}}"
    "{{release}}/loadgen" echo --addr "$ADDR" --conns 1 --size 65536 --secs "{{secs}}" --bulk
    report_server

# tcp-echo side by side with the Node echo peer (../shared/peers, which needs node and python3; results in bench-results/)
[group('course benchmarks')]
bench-echo-peers secs='5':
    cargo build --release -p tcp-echo
    SECS={{secs}} ONLY="iperf echo" RES="{{justfile_directory()}}/bench-results/peers-echo-$(date +%Y%m%d-%H%M%S)" \
      ECHO_EXTRA="rust={{release}}/tcp-echo server --port {port}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Benchmark tcp-chat: 50 clients x 200 broadcasts unpaced, then paced at 1,000 msg/s (release, loopback)
[group('course benchmarks')]
bench-chat clients='50' msgs='200':
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p tcp-chat -p loadgen
    release="{{release}}"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "$release/tcp-chat" server --port 0
    "$release/loadgen" chat --addr "$ADDR" --clients "{{clients}}" --msgs "{{msgs}}"
    "$release/loadgen" chat --addr "$ADDR" --clients "{{clients}}" --msgs "{{msgs}}" --rate 1000
    report_server

# tcp-chat side by side with the Node chat peer (../shared/peers, which needs node and python3; results in bench-results/)
[group('course benchmarks')]
bench-chat-peers:
    cargo build --release -p tcp-chat
    ONLY=chat RES="{{justfile_directory()}}/bench-results/peers-chat-$(date +%Y%m%d-%H%M%S)" \
      CHAT_EXTRA="rust={{release}}/tcp-chat server --port {port}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Memory of 5,000 idle logged-in chat clients: tcp-chat, then the Node chat peer (raises the open-file limit itself)
[group('course benchmarks')]
bench-chat-idle clients='5000':
    cargo build --release -p tcp-chat -p loadgen
    "{{justfile_directory()}}/.ci/bench-chat-idle.sh" "{{release}}" "{{clients}}"

# Benchmark chapter 7: one tcp-chat node alone vs two on one Redis (50 clients x 200 broadcasts), paced 1,000 msg/s across both, each node's peak RSS (release, loopback; needs redis-server)
[group('course benchmarks')]
bench-cluster clients='50' msgs='200':
    cargo build --release -p tcp-chat -p loadgen
    "{{justfile_directory()}}/.ci/bench-cluster.sh" "{{release}}" "{{clients}}" "{{msgs}}"

# Benchmark http-static with wrk: 1 KiB and 100 KiB files (t2 c64), then 20 MiB to 16 curls at once (release, loopback)
[group('course benchmarks')]
bench-static secs='5':
    #!/usr/bin/env bash
    set -euo pipefail
    command -v wrk >/dev/null || { echo "bench-static needs wrk: apt-get install wrk" >&2; exit 1; }
    cargo build --release -p http-static
    bin="{{release}}/http-static"
    root="{{justfile_directory()}}/bench-results/static-root"
    mkdir -p "$root"
    page='<!DOCTYPE html><p>'
    for i in $(seq 100); do page+='lorem ipsum '; done
    printf '%s' "${page:0:1024}" > "$root/index.html"
    head -c 102400 /dev/urandom > "$root/100k.bin"
    head -c 20971520 /dev/urandom > "$root/20m.bin"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "$bin" --port 0 --root "$root"
    for file in index.html 100k.bin; do
        echo "== wrk -t2 -c64 -d{{secs}}s http://$ADDR/$file"
        timeout $(({{secs}} + 30)) wrk -t2 -c64 -d"{{secs}}s" --latency "http://$ADDR/$file" | grep -E 'Requests/sec|Transfer/sec|^ +(50|99)%|Non-2xx|errors'
    done
    echo "== 16 concurrent curl of the 20 MiB file"
    # (sort ends when every curl has closed the pipe: that is the wait)
    for i in $(seq 16); do
        curl -s -o /dev/null --max-time 60 -w 'status %{http_code}, %{size_download} bytes\n' "http://$ADDR/20m.bin" &
    done | sort | uniq -c
    report_server

# http-static side by side with the Node peer and nginx (../shared/peers, which needs node and python3; results in bench-results/); rust-quiet = no access log, as nginx
[group('course benchmarks')]
bench-static-peers secs='5':
    cargo build --release -p http-static
    SECS={{secs}} ONLY="static big" RES="{{justfile_directory()}}/bench-results/peers-$(date +%Y%m%d-%H%M%S)" \
      STATIC_EXTRA="rust={{release}}/http-static --port {port} --root {root};rust-quiet=env RUST_LOG=warn {{release}}/http-static --port {port} --root {root}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Benchmark http-static --tls with wrk: 1 KiB over kept-alive TLS connections (t2 c64), then a new TLS connection per request (t2 c16, Connection: close)
[group('course benchmarks')]
bench-https secs='5':
    #!/usr/bin/env bash
    set -euo pipefail
    command -v wrk >/dev/null || { echo "bench-https needs wrk: apt-get install wrk" >&2; exit 1; }
    cargo build --release -p http-static
    root="{{justfile_directory()}}/bench-results/static-root"
    mkdir -p "$root"
    head -c 1024 /dev/zero | tr '\0' 'x' > "$root/index.html"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    # Its own local CA and certificate (ECDSA P-256), apart from the lessons' certs/.
    start_server "{{release}}/http-static" --tls --port 0 --root "$root" --certs "{{justfile_directory()}}/bench-results/certs"
    echo "== keep-alive: wrk -t2 -c64 -d{{secs}}s https://$ADDR/index.html"
    timeout $(({{secs}} + 30)) wrk -t2 -c64 -d"{{secs}}s" --latency "https://$ADDR/index.html" | grep -E 'Requests/sec|Transfer/sec|^ +(50|99)%|Non-2xx|errors'
    report_server
    echo "== a full TLS handshake per request: wrk -t2 -c16 -d{{secs}}s -H 'Connection: close' https://$ADDR/index.html"
    timeout $(({{secs}} + 30)) wrk -t2 -c16 -d"{{secs}}s" --latency -H "Connection: close" "https://$ADDR/index.html" | grep -E 'Requests/sec|Transfer/sec|^ +(50|99)%|Non-2xx|errors'
    report_server

# http-static --tls side by side with the Node https peer and nginx, one certificate for all (../shared/peers, which needs node and python3; results in bench-results/); rust-quiet = no access log, as nginx
[group('course benchmarks')]
bench-https-peers secs='5':
    cargo build --release -p http-static
    SECS={{secs}} ONLY=https RES="{{justfile_directory()}}/bench-results/peers-https-$(date +%Y%m%d-%H%M%S)" \
      HTTPS_EXTRA="rust={{release}}/http-static --tls --port {port} --root {root} --cert {cert} --key {key};rust-quiet=env RUST_LOG=warn {{release}}/http-static --tls --port {port} --root {root} --cert {cert} --key {key}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Benchmark http-template with wrk: GET / (the todo page), then GET /guestbook with 1,000 messages posted first (release, loopback)
[group('course benchmarks')]
bench-template secs='5':
    #!/usr/bin/env bash
    set -euo pipefail
    command -v wrk >/dev/null || { echo "bench-template needs wrk: apt-get install wrk" >&2; exit 1; }
    cargo build --release -p http-template
    bin="{{release}}/http-template"
    data="{{justfile_directory()}}/bench-results/template"
    rm -rf "$data" && mkdir -p "$data"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "$bin" --port 0 --db "$data/guestbook.sqlite3" --templates "{{justfile_directory()}}/templates"
    wrk_on() {
        echo "== wrk -t2 -c64 -d{{secs}}s http://$ADDR$1"
        timeout $(({{secs}} + 30)) wrk -t2 -c64 -d"{{secs}}s" --latency "http://$ADDR$1" | grep -E 'Requests/sec|Transfer/sec|^ +(50|99)%|Non-2xx|errors'
    }
    wrk_on /
    echo "== posting 1,000 messages through POST /guestbook (one curl, keep-alive)"
    for i in $(seq 1000); do
        [ "$i" = 1 ] || echo next
        printf 'url = "http://%s/guestbook"\ndata-urlencode = "name=visitor %d"\ndata-urlencode = "message=message %d: <b>hello</b> & 你好 👋"\noutput = /dev/null\nwrite-out = "%%{http_code}\\n"\n' "$ADDR" "$i" "$i"
    done > "$data/posts.curl"
    curl -s --max-time 120 -K "$data/posts.curl" | sort | uniq -c
    total=$(curl -s "http://$ADDR/api/guestbook" | grep -o '"total":[0-9]*' | cut -d: -f2)
    echo "stored: ${total:-?} messages"
    wrk_on /guestbook
    report_server

# http-template side by side with the Node art-template peer (../shared/peers, which needs node and python3; results in bench-results/)
[group('course benchmarks')]
bench-template-peers secs='5':
    cargo build --release -p http-template
    SECS={{secs}} ONLY=template RES="{{justfile_directory()}}/bench-results/peers-template-$(date +%Y%m%d-%H%M%S)" \
      TEMPLATE_EXTRA="rust={{release}}/http-template --port {port} --db {tmp}/guestbook.sqlite3" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Benchmark udp-unicast: 4 sockets x 16 datagrams in flight, request/response, loss counted (release, loopback)
[group('course benchmarks')]
bench-udp secs='5':
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p udp-unicast -p loadgen
    release="{{release}}"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "$release/udp-unicast" server --port 0
    "$release/loadgen" udp --addr "$ADDR" --secs "{{secs}}" --sockets 4 --window 16
    report_server

# udp-unicast side by side with the Node dgram peer (../shared/peers, which needs node and python3; results in bench-results/)
[group('course benchmarks')]
bench-udp-peers secs='5':
    cargo build --release -p udp-unicast
    SECS={{secs}} ONLY=udp RES="{{justfile_directory()}}/bench-results/peers-udp-$(date +%Y%m%d-%H%M%S)" \
      UDP_EXTRA="rust={{release}}/udp-unicast server --port {port}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"

# Benchmark ws-chat: 50 WebSocket clients x 200 broadcasts unpaced, then paced at 1,000 msg/s (release, loopback)
[group('course benchmarks')]
bench-ws clients='50' msgs='200':
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release -p ws-chat -p loadgen
    release="{{release}}"
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server "$release/ws-chat" --port 0
    "$release/loadgen" ws --url "ws://$ADDR/ws" --clients "{{clients}}" --msgs "{{msgs}}"
    "$release/loadgen" ws --url "ws://$ADDR/ws" --clients "{{clients}}" --msgs "{{msgs}}" --rate 1000
    report_server

# ws-chat side by side with the Node ws peer (../shared/peers, which needs node and python3; results in bench-results/)
[group('course benchmarks')]
bench-ws-peers:
    cargo build --release -p ws-chat
    ONLY=ws WS_PATH=/ws WS_ARGS=--login RES="{{justfile_directory()}}/bench-results/peers-ws-$(date +%Y%m%d-%H%M%S)" \
      WS_EXTRA="rust={{release}}/ws-chat --port {port}" \
      "{{justfile_directory()}}/../shared/peers/run-peers.sh"
