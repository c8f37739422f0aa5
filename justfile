# net-lessons: the Node.js networking tutorial, chapter by chapter, in Rust.
# `just --list` is the course index: each recipe says which lesson it starts.

set positional-arguments

# List the recipes (the course index)
[private]
default:
    @just --list --unsorted

# Is it an IP address? net.isIP / isIPv4 / isIPv6 with Rust's IpAddr
[group('ch1 concepts')]
ch1-is-ip *addrs:
    cargo run -q -p concepts -- is-ip "$@"

# TCP echo server on 127.0.0.1:8124; then, in a second terminal: nc 127.0.0.1 8124
[group('ch2 TCP')]
ch2-echo *args:
    cargo run -q -p tcp-echo -- server "$@"

# The seed's echo client: connects, sends "world!", prints the echo
[group('ch2 TCP')]
ch2-echo-client *args:
    cargo run -q -p tcp-echo -- client "$@"

# Every lesson's demo in turn, each narrating itself on loopback
[group('course')]
demo:
    cargo build -q --workspace --bins
    cargo run -q -p concepts -- demo
    cargo run -q -p tcp-echo -- demo

# The whole test suite (what CI runs after fmt and clippy)
[group('course')]
test:
    cargo test --workspace

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
    cargo build -q --release -p tcp-echo -p loadgen
    source "{{justfile_directory()}}/.ci/bench-lib.sh"
    start_server target/release/tcp-echo server --port 0
    target/release/loadgen echo --addr "$ADDR" --conns 50 --size 1024 --secs "{{secs}}"
    target/release/loadgen echo --addr "$ADDR" --conns 1 --size 65536 --secs "{{secs}}" --bulk
    report_server
