#!/usr/bin/env bash
# What archiving costs at saturation: pairs of bench/run.sh runs at one rate above what the node sustains,
# one with the archiver on and one with it off (ANALYTICS_ARCHIVER_ENABLED), each on a fresh platform with
# Kafka's own producer (the peer) measured in the same run. The order alternates pair by pair, so that a
# machine whose speed drifts slows both alike. Writes bench/results/archiving-<UTC timestamp>.json with every
# pair and the medians: end-to-end events/s on and off, cost = 1 - on/off, and the cost against the peer,
# 1 - (on/peer)/(off/peer), which discounts what the machine itself did in each run.
#
#   bench/archiving.sh [--pairs 5] [--rate 75000] [--duration 20s] [--port 18080]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAIRS=5
RATE=75000
DURATION=20s
PORT=18080
while (($# > 0)); do
    case "$1" in
        --pairs) PAIRS="${2:?--pairs needs a value}"; shift 2 ;;
        --rate) RATE="${2:?--rate needs events/s}"; shift 2 ;;
        --duration) DURATION="${2:?--duration needs a value like 20s}"; shift 2 ;;
        --port) PORT="${2:?--port needs a value}"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "archiving.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
[[ "$PAIRS" =~ ^[1-9][0-9]*$ && "$RATE" =~ ^[1-9][0-9]*$ ]] \
    || { echo "archiving.sh: --pairs and --rate must be positive whole numbers" >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One fresh platform, one measured run; prints the path of its e2e result.
run() {
    local archiver=$1 log="$WORK/run-$2.log"
    ANALYTICS_ARCHIVER_ENABLED=$archiver "$ROOT/bench/run.sh" --rates "$RATE" --duration "$DURATION" --runs 1 \
        --port "$PORT" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
    local result
    result="$(sed -n 's/^run.sh: results written to //p' "$log")"
    [ -n "$result" ] || { cat "$log" >&2; echo "archiving.sh: run.sh wrote no result" >&2; exit 1; }
    echo "$ROOT/$result"
}

pairs=()
for ((i = 1; i <= PAIRS; i++)); do
    if ((i % 2)); then on=$(run true "$i-on"); off=$(run false "$i-off")
    else off=$(run false "$i-off"); on=$(run true "$i-on"); fi
    pairs+=("$on $off")
    echo "archiving.sh: pair $i/$PAIRS: on ${on#"$ROOT"/}, off ${off#"$ROOT"/}" >&2
done

mkdir -p "$ROOT/bench/results"
out="$ROOT/bench/results/archiving-$(date -u +%Y%m%dT%H%M%SZ).json"
python3 - "$out" "$RATE" "$DURATION" "${pairs[@]}" <<'PY'
import json, os, statistics, sys

out, rate, duration, pairs = sys.argv[1], int(sys.argv[2]), sys.argv[3], [p.split() for p in sys.argv[4:]]

def median_row(path):
    return json.load(open(path))["medians"][0]

rows = []
for on_path, off_path in pairs:
    on, off = median_row(on_path), median_row(off_path)
    rows.append({"archiver_on": os.path.basename(on_path), "archiver_off": os.path.basename(off_path),
                 "e2e_events_per_s_on": on["e2e_events_per_s"], "e2e_events_per_s_off": off["e2e_events_per_s"],
                 "peer_events_per_s_on": on.get("peer_events_per_s"), "peer_events_per_s_off": off.get("peer_events_per_s"),
                 "server_cpu_cores_on": on["server_cpu_cores"], "server_cpu_cores_off": off["server_cpu_cores"],
                 "cost": round(1 - on["e2e_events_per_s"] / off["e2e_events_per_s"], 4),
                 "cost_against_peer": round(1 - on["e2e_to_peer_ratio"] / off["e2e_to_peer_ratio"], 4)
                 if on.get("e2e_to_peer_ratio") and off.get("e2e_to_peer_ratio") else None})

def median(key):
    values = [r[key] for r in rows if r[key] is not None]
    return statistics.median(values) if values else None

on, off = median("e2e_events_per_s_on"), median("e2e_events_per_s_off")
result = {"rate": rate, "duration": duration, "cores": os.cpu_count(), "load_average_at_end": os.getloadavg()[0],
          "pairs": rows, "median_e2e_events_per_s_on": on, "median_e2e_events_per_s_off": off,
          "cost_of_medians": round(1 - on / off, 4), "median_pair_cost": median("cost"),
          "median_pair_cost_against_peer": median("cost_against_peer")}
json.dump(result, open(out, "w"), indent=2)
against_peer = result["median_pair_cost_against_peer"]
print(f"archiver on {on:,.0f} ev/s, off {off:,.0f} ev/s: cost {result['cost_of_medians']:.1%} "
      f"(median of pairs {result['median_pair_cost']:.1%}, against the peer "
      f"{'n/a' if against_peer is None else format(against_peer, '.1%')})", file=sys.stderr)
PY
echo "archiving.sh: results written to ${out#"$ROOT"/}" >&2
