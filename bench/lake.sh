#!/usr/bin/env bash
# The data-lake benchmark (see bench/README.md):
#   1. LakeBench: N realistic events (the load generator's mix, one UTC day) written as archive Parquet files,
#      their size against the same events as raw-topic JSON, and the batch recomputation of that day timed.
#   2. With --cost-rates: the archiving cost, as bench/run.sh at those rates with the archiver off, then on.
# Writes bench/results/lake-<UTC timestamp>.json (the e2e runs write their own files, named in it).
#
#   bench/lake.sh [--events 10000000] [--threads 2] [--memory-limit 4GB] [--cost-rates 50000 --cost-duration 30s --cost-runs 3]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EVENTS=10000000
THREADS=2
MEMORY=4GB
COST_RATES=""
COST_DURATION=30s
COST_RUNS=3
while (($# > 0)); do
    case "$1" in
        --events) EVENTS="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --memory-limit) MEMORY="$2"; shift 2 ;;
        --cost-rates) COST_RATES="$2"; shift 2 ;;
        --cost-duration) COST_DURATION="$2"; shift 2 ;;
        --cost-runs) COST_RUNS="$2"; shift 2 ;;
        -h|--help) sed -n 2,8p "$0"; exit 0 ;;
        *) echo "lake.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

[ "${ANALYTICS_SKIP_BUILD:-0}" = 1 ] || "$ROOT/analytics" build
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="$ROOT/bench/results/lake-$STAMP.json"

echo "lake.sh: writing $EVENTS events as Parquet and recomputing them in batch (scratch $WORK)" >&2
java -Xmx3g -cp "$ROOT/bench/target/classes:$ROOT/bench/target/lib/*" io.analytics.bench.LakeBench \
    --events "$EVENTS" --dir "$WORK" --threads "$THREADS" --memory-limit "$MEMORY" > "$WORK/lake.json"

COST="{}"
if [ -n "$COST_RATES" ]; then
    for archiver in false true; do
        before="$(ls "$ROOT"/bench/results/e2e-*.json 2>/dev/null | sort | tail -n 1 || true)"
        ANALYTICS_ARCHIVER_ENABLED=$archiver ANALYTICS_SKIP_BUILD=1 "$ROOT/bench/run.sh" --rates "$COST_RATES" \
            --duration "$COST_DURATION" --runs "$COST_RUNS" >&2
        after="$(ls "$ROOT"/bench/results/e2e-*.json | sort | tail -n 1)"
        [ "$after" != "$before" ] || { echo "lake.sh: run.sh wrote no result" >&2; exit 1; }
        eval "E2E_$archiver=\"$after\""
    done
    COST="$(python3 - "$E2E_false" "$E2E_true" <<'PY'
import json, sys
off, on = (json.load(open(f))["medians"] for f in sys.argv[1:3])
rows = []
for a, b in zip(off, on):
    rows.append({"rate": a["rate"], "e2e_events_per_s_archiver_off": a["e2e_events_per_s"],
                 "e2e_events_per_s_archiver_on": b["e2e_events_per_s"],
                 "server_cpu_cores_off": a["server_cpu_cores"], "server_cpu_cores_on": b["server_cpu_cores"],
                 "throughput_cost": round(1 - b["e2e_events_per_s"] / a["e2e_events_per_s"], 4)})
print(json.dumps({"archiver_off": sys.argv[1].split("/")[-1], "archiver_on": sys.argv[2].split("/")[-1], "rates": rows}))
PY
)"
fi

python3 - "$WORK/lake.json" "$COST" "$OUT" <<'PY'
import json, os, sys
lake = json.load(open(sys.argv[1]))
result = {"meta": {"cores": os.cpu_count(), "load_average_at_end": os.getloadavg()[0]},
          "lake": lake, "archiving_cost": json.loads(sys.argv[2])}
json.dump(result, open(sys.argv[3], "w"), indent=2)
print(json.dumps(result, indent=2))
PY
echo "lake.sh: wrote $OUT" >&2
