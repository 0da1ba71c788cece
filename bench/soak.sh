#!/usr/bin/env bash
# Memory over a long run at a constant rate: starts a fresh `./analytics up`, drives it with the load
# generator at one rate for --duration, and samples the node every --sample: resident memory (RSS), heap
# in use and the old generation after the last collection (jstat), CPU; and every --live-every the live
# set itself: what a full collection the script asks for leaves (the total of jcmd GC.class_histogram,
# counted in the collection's pause), the only reading that holds no garbage; the top of each histogram
# stays in the work directory (histogram-<t>s.txt), to tell what a peak was made of; with it, the heap
# of the dedupe index (gauge analytics_dedupe_bytes), so that the rest of the live set can be told flat
# or not, and the bytes of its memory-mapped files (gauge analytics_dedupe_file_bytes), off the heap,
# which by design grow until they hold the retention (24 h) of event ids. Writes
# bench/results/soak-<UTC timestamp>.json with the whole curve and prints the summary: how far the
# post-warm-up memory strays from its median (the target: within ±10%).
#
#   bench/soak.sh [--rate 10000] [--duration 30m] [--sample 10s] [--warmup 5m] [--live-every 60s] [--port 18295]
#
# Environment: READY_TIMEOUT (600), STOP_TIMEOUT (30), LOADGEN_JAVA_OPTS, KEEP_WORK (1), and
# ANALYTICS_JAVA_OPTS for the node (default the launcher's; e.g. "-Xms3g -Xmx3g" for a fixed heap, as
# production nodes run, so that RSS does not also measure the JVM committing heap).
set -euo pipefail

BENCH_NAME="soak.sh"
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RATE=10000
DURATION="30m"
SAMPLE="10s"
WARMUP="5m"
LIVE_EVERY="60s"
PORT=18295
READY_TIMEOUT="${READY_TIMEOUT:-600}"
STOP_TIMEOUT="${STOP_TIMEOUT:-30}"
LOADGEN_JAVA_OPTS="${LOADGEN_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m -Xmx512m}"
KEEP_WORK="${KEEP_WORK:-1}"
API_KEY="soak-key"

usage() {
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

while (($# > 0)); do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --rate) RATE="${2:?--rate needs a value}"; shift 2 ;;
        --duration) DURATION="${2:?--duration needs a value}"; shift 2 ;;
        --sample) SAMPLE="${2:?--sample needs a value}"; shift 2 ;;
        --warmup) WARMUP="${2:?--warmup needs a value}"; shift 2 ;;
        --live-every) LIVE_EVERY="${2:?--live-every needs a value}"; shift 2 ;;
        --port) PORT="${2:?--port needs a value}"; shift 2 ;;
        *) echo "soak.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || { echo "soak.sh: --rate must be a positive integer" >&2; exit 2; }
DURATION_S="$(to_seconds "$DURATION")" && ((DURATION_S > 0)) || { echo "soak.sh: --duration must look like 30m" >&2; exit 2; }
SAMPLE_S="$(to_seconds "$SAMPLE")" && ((SAMPLE_S > 0)) || { echo "soak.sh: --sample must look like 10s" >&2; exit 2; }
WARMUP_S="$(to_seconds "$WARMUP")" && ((WARMUP_S < DURATION_S)) || { echo "soak.sh: --warmup must be shorter than --duration" >&2; exit 2; }
LIVE_S="$(to_seconds "$LIVE_EVERY")" && ((LIVE_S >= SAMPLE_S)) || { echo "soak.sh: --live-every must be at least --sample" >&2; exit 2; }

cd "$ROOT"
SERVER_PID="" JAVA_PID="" LOADGEN_PID="" DATA_DIR=""
WORK="$(mktemp -d /tmp/analytics-soak.XXXXXX)"
WORK_KEPT_WHAT="server log and samples"
CLEANUP_PID_VARS=(LOADGEN_PID)
work_disposable() { ((KEEP_WORK == 0)); }
install_cleanup_traps

if [[ ! -f src/node/target/.analytics-built || ! -d bench/target/lib ]]; then
    echo "soak.sh: building ..."
    ./analytics build > "$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log" >&2; die "build failed"; }
fi
check_prerequisites
DATA_DIR="$WORK/data"
SERVER_LOG="$WORK/server.log"

echo "soak.sh: starting ./analytics up on port $PORT ..."
ANALYTICS_SKIP_BUILD=1 ANALYTICS_DATA_DIR="$DATA_DIR" ANALYTICS_DEMO_API_KEY="$API_KEY" \
    setsid ./analytics up --port "$PORT" > "$SERVER_LOG" 2>&1 &
SERVER_PID=$!
wait_ready
echo "soak.sh: ready (server JVM pid $JAVA_PID); $RATE events/s for ${DURATION_S}s, sampling every ${SAMPLE_S}s"

java $LOADGEN_JAVA_OPTS -cp "$CP" io.analytics.bench.LoadGenerator --url "http://127.0.0.1:$PORT" --api-key "$API_KEY" \
    --rate "$RATE" --duration "${DURATION_S}s" --quiet --out "$WORK/loadgen.json" > "$WORK/loadgen.log" 2>&1 &
LOADGEN_PID=$!

SAMPLES="$WORK/samples.csv"
echo "t_s,rss_mb,heap_used_mb,old_after_gc_mb,cpu_s,live_mb,dedupe_mb,dedupe_files_mb" > "$SAMPLES"
t0="$(now_s)"
next_live="$LIVE_S"
while alive "$LOADGEN_PID"; do
    t="$(awk -v a="$t0" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }')"
    live_kb=""
    dedupe_kb=""
    dedupe_files_kb=""
    if awk -v t="$t" -v n="$next_live" 'BEGIN { exit !(t >= n) }'; then
        # The class histogram runs a full collection and sums the objects left, in the same pause. Reading
        # the heap with jstat after `GC.run` instead counted what the node allocated in the second or two
        # jstat takes to start (up to 700 MB at 4,000 events/s).
        jcmd "$JAVA_PID" GC.class_histogram > "$WORK/histogram.txt"
        live_kb="$(awk '$1 == "Total" { print $3 / 1024 }' "$WORK/histogram.txt")"
        head -n 30 "$WORK/histogram.txt" > "$WORK/histogram-${t%.*}s.txt"
        read -r dedupe_kb dedupe_files_kb < <(curl -sf "http://127.0.0.1:$PORT/metrics" | awk '
            $1 == "analytics_dedupe_bytes" { heap = $2 / 1024 }
            $1 == "analytics_dedupe_file_bytes" { files = $2 / 1024 }
            END { print heap, files }') || true
        next_live=$((next_live + LIVE_S))
    fi
    rss_kb="$(awk '/^VmRSS:/ { print $2 }' "/proc/$JAVA_PID/status")"
    # jstat -gc: OU is the old generation in use, which only shrinks at a collection; its minimum over a
    # sample period tracks the live set rather than garbage waiting to be collected.
    read -r heap_kb old_kb < <(jstat -gc "$JAVA_PID" | awk 'NR == 2 { print $3 + $4 + $6 + $8, $8 }')
    cpu="$(awk -v k="$(cpu_ticks "$JAVA_PID")" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", k / hz }')"
    awk -v t="$t" -v r="$rss_kb" -v h="$heap_kb" -v o="$old_kb" -v c="$cpu" -v l="$live_kb" -v d="$dedupe_kb" \
        -v f="$dedupe_files_kb" \
        'BEGIN { printf "%s,%.1f,%.1f,%.1f,%s,%s,%s,%s\n", t, r / 1024, h / 1024, o / 1024, c,
                 (l == "" ? "" : sprintf("%.1f", l / 1024)), (d == "" ? "" : sprintf("%.1f", d / 1024)),
                 (f == "" ? "" : sprintf("%.1f", f / 1024)) }' >> "$SAMPLES"
    printf '\rsoak.sh: %6.0fs  RSS %6.0f MB  heap %6.0f MB' "$t" "$((rss_kb / 1024))" "$(awk -v h="$heap_kb" 'BEGIN { print h / 1024 }')"
    sleep "$SAMPLE_S"
done
echo
wait "$LOADGEN_PID" || true
LOADGEN_PID=""

mkdir -p bench/results
OUT="bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$SAMPLES" "$WORK/loadgen.json" "$OUT" "$RATE" "$DURATION_S" "$WARMUP_S" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$LIVE_S" "${ANALYTICS_JAVA_OPTS:-}" <<'PY'
import csv, json, statistics, sys
samples_path, loadgen_path, out, rate, duration, warmup, rev, live_every, java_opts = sys.argv[1:]
rows = [{k: float(v) if v else None for k, v in r.items()} for r in csv.DictReader(open(samples_path))]
steady = [r for r in rows if r["t_s"] >= float(warmup)]
def spread(key):
    values = [r[key] for r in steady]
    median = statistics.median(values)
    return {"median_mb": round(median, 1), "min_mb": round(min(values), 1), "max_mb": round(max(values), 1),
            "max_deviation_pct": round(100 * max(abs(v - median) for v in values) / median, 1)}
# The live heap: per minute, the smallest old generation seen (a collection has just run).
per_minute = {}
for r in steady:
    minute = int(r["t_s"] // 60)
    per_minute[minute] = min(per_minute.get(minute, float("inf")), r["old_after_gc_mb"])
live = list(per_minute.values())
live_median = statistics.median(live)
full_gc = [r["live_mb"] for r in steady if r["live_mb"] is not None]
full_gc_median = statistics.median(full_gc) if full_gc else None
half = len(full_gc) // 2
def curve(values):
    median = statistics.median(values)
    return {"median_mb": round(median, 1), "min_mb": round(min(values), 1), "max_mb": round(max(values), 1),
            "max_deviation_pct": round(100 * max(abs(v - median) for v in values) / median, 1),
            "first_half_median_mb": round(statistics.median(values[:len(values) // 2]), 1) if len(values) > 1 else None,
            "second_half_median_mb": round(statistics.median(values[len(values) // 2:]), 1),
            "curve_mb": [round(v, 1) for v in values]}
with_dedupe = [r for r in steady if r["live_mb"] is not None and r.get("dedupe_mb") is not None]
with_files = [r for r in with_dedupe if r.get("dedupe_files_mb") is not None]
try:
    loadgen = json.load(open(loadgen_path))
except (OSError, ValueError):
    loadgen = None
result = {
    "meta": {"git_rev": rev, "rate": int(rate), "duration_s": int(duration), "warmup_s": int(warmup),
             "node_java_opts": java_opts or "launcher default",
             "command": f"bench/soak.sh --rate {rate} --duration {duration}s --warmup {warmup}s --live-every {live_every}s"},
    "rss": spread("rss_mb"),
    "heap_used": spread("heap_used_mb"),
    "live_heap_per_minute_mb": [round(v, 1) for v in live],
    "live_heap_max_deviation_pct": round(100 * max(abs(v - live_median) for v in live) / live_median, 1) if live_median else None,
    "live_after_full_gc": None if not full_gc else {
        "every_s": int(live_every), "median_mb": round(full_gc_median, 1), "min_mb": min(full_gc), "max_mb": max(full_gc),
        "max_deviation_pct": round(100 * max(abs(v - full_gc_median) for v in full_gc) / full_gc_median, 1),
        "first_half_median_mb": round(statistics.median(full_gc[:half]), 1) if half else None,
        "second_half_median_mb": round(statistics.median(full_gc[half:]), 1),
        "curve_mb": full_gc},
    "dedupe_index": None if not with_dedupe else curve([r["dedupe_mb"] for r in with_dedupe]),
    "live_without_dedupe_index": None if not with_dedupe else curve([r["live_mb"] - r["dedupe_mb"] for r in with_dedupe]),
    "dedupe_files": None if not with_files else {
        "min_mb": min(r["dedupe_files_mb"] for r in with_files), "max_mb": max(r["dedupe_files_mb"] for r in with_files),
        "curve_mb": [r["dedupe_files_mb"] for r in with_files]},
    "loadgen": loadgen,
    "samples": rows,
}
json.dump(result, open(out, "w"), indent=1)
print(f"soak.sh: RSS after warm-up: median {result['rss']['median_mb']} MB, range {result['rss']['min_mb']}-{result['rss']['max_mb']} MB, "
      f"max deviation {result['rss']['max_deviation_pct']}%")
print(f"soak.sh: live heap (old generation after collections, per minute): median {round(live_median, 1)} MB, "
      f"max deviation {result['live_heap_max_deviation_pct']}%")
if full_gc:
    f = result["live_after_full_gc"]
    print(f"soak.sh: live set (heap after a full collection, every {live_every}s): median {f['median_mb']} MB, "
          f"range {f['min_mb']}-{f['max_mb']} MB, max deviation {f['max_deviation_pct']}%, "
          f"first half {f['first_half_median_mb']} MB, second half {f['second_half_median_mb']} MB")
if with_dedupe:
    d, rest = result["dedupe_index"], result["live_without_dedupe_index"]
    print(f"soak.sh: dedupe index heap: {d['min_mb']} -> {d['max_mb']} MB; "
          f"live set without it: median {rest['median_mb']} MB, range {rest['min_mb']}-{rest['max_mb']} MB, "
          f"max deviation {rest['max_deviation_pct']}%, first half {rest['first_half_median_mb']} MB, "
          f"second half {rest['second_half_median_mb']} MB")
if with_files:
    f = result["dedupe_files"]
    print(f"soak.sh: dedupe index files, off the heap (grow until they hold the retention of ids): "
          f"{f['min_mb']} -> {f['max_mb']} MB")
if loadgen:
    print(f"soak.sh: load: {loadgen.get('accepted_per_s', loadgen.get('end_to_end_per_s', '?'))} events/s accepted")
print(f"soak.sh: results written to {out}")
PY
