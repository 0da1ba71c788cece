#!/usr/bin/env bash
# Benchmark of the live hub: starts a fresh `./analytics up`, warms it up, then HubBench measures (1) end-to-end
# throughput and server CPU per event at --saturate-rate with and without --subscribers WebSocket clients, and
# (2) accepted → visible to a WebSocket subscriber while the load generator runs at --rate (default `half`: half
# the rate (1) sustained without subscribers; the target is p99 under 1 s at 50% of the sustained rate).
# Prints a summary, writes bench/results/hub-<UTC>.json.
#
#   bench/hub.sh [--rate half] [--saturate-rate 75000] [--subscribers 1000] [--batch] [--warmup 5m] [--warmup-rate 8000]
#                [--duration 30s] [--runs 3] [--port 18080]
# --batch: the subscribers ask for a tick's updates in one message (?batch=true), as the dashboard page does.
# --warmup: load at --warmup-rate first (subscribers on for its second half); a fresh node compiles for minutes.
set -euo pipefail

BENCH_NAME="hub.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATES="1"
RATE=half
SATURATE=75000
SUBSCRIBERS=1000
BATCH=false
WARMUP="5m"
WARMUP_RATE=8000
DURATION="30s"
RUNS=3
PORT=18080
EXTRA=()
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
API_KEY="bench-key"
SERVER_PID=""
JAVA_PID=""
CLEANUP_PID_VARS=()
WORK="$(mktemp -d)"
WORK_KEPT_WHAT="server log"
DATA_DIR="$WORK/data"
SERVER_LOG="$WORK/server.log"
work_disposable() { true; }

usage() {
    sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

script_flag() {
    COMMON_SHIFT=2
    case "$1" in
        --rate) RATE="${2:?--rate needs a value}" ;;
        --saturate-rate) SATURATE="${2:?--saturate-rate needs a value}" ;;
        --subscribers) SUBSCRIBERS="${2:?--subscribers needs a value}" ;;
        --batch) BATCH=true; COMMON_SHIFT=1 ;;
        --warmup) WARMUP="${2:?--warmup needs a value}" ;;
        --warmup-rate) WARMUP_RATE="${2:?--warmup-rate needs a value}" ;;
        *) return 1 ;;
    esac
}

parse_args "$@"
check_common_flags
cd "$ROOT"
install_cleanup_traps
./analytics build > /dev/null
check_prerequisites

echo "hub.sh: starting the platform (./analytics up) on port $PORT ..."
ANALYTICS_DATA_DIR="$DATA_DIR" ANALYTICS_DEMO_API_KEY="$API_KEY" \
    setsid ./analytics up --port "$PORT" > "$SERVER_LOG" 2>&1 < /dev/null &
SERVER_PID=$!
wait_ready
mkdir -p bench/results
OUT="bench/results/hub-$(date -u +%Y%m%dT%H%M%SZ).json"
java -Xmx1g -cp "$CP" io.analytics.bench.HubBench --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" \
    --rate "$RATE" --saturate-rate "$SATURATE" --subscribers "$SUBSCRIBERS" --batch "$BATCH" \
    --warmup "$WARMUP" --warmup-rate "$WARMUP_RATE" --duration "$DURATION" --runs "$RUNS" \
    --server-pid "$JAVA_PID" --clk-tck "$CLK_TCK" --out "$OUT" | sed 's/^/hub.sh: /'
echo "hub.sh: results in $OUT (load average $(cut -d' ' -f1-3 /proc/loadavg))"
