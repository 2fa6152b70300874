#!/usr/bin/env bash
# Compares an Echo Cache worker with Redis and Garnet under redis-benchmark, all on 127.0.0.1:
# SET and GET with -c 50 -d 64 -r 100000 at pipeline 1 and 16, in interleaved rounds, and prints
# the median requests/s of each, the ratios to Redis and Garnet, and Redis's PING rate (this machine's
# round-trip ceiling with one load process) from the same rounds. Starts and stops every server itself.
#
# The targets are judged on the median of the ratios within each round (each pair of runs seconds apart, so the
# machine's slow swings, other tenants of the host, weigh on both sides alike), printed beside the ratio of the
# medians.
#
#   load/compare-peers.sh                 # 9 rounds of 200k requests per test (2M at pipeline 16)
#   ROUNDS=5 REQUESTS=500000 load/compare-peers.sh
#   WORKER_ARGS="--poll 0" load/compare-peers.sh    # extra worker options (here: never poll before sleeping)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-9}
requests=${REQUESTS:-200000}
worker_args=${WORKER_ARGS:-}
# Pipeline 16 runs ten times as many: 200k requests at well over a million a second last a tenth of a second,
# too short to measure (connection set-up and the first reads weigh in).
requests_p16=${REQUESTS_P16:-$((requests * 10))}
tools="$root/artifacts/tools"
work=$(mktemp -d)
pids=()
source "$root/load/lib.sh"  # free_port, wait_ping, stop_started
trap stop_started EXIT

# --- peers and our binary -------------------------------------------------------------------------
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The Debian package starts a system-wide Redis on 6379; this script runs its own on a free port.
if [ ! -x "$tools/garnet/garnet-server" ]; then
  dotnet tool install --tool-path "$tools/garnet" garnet-server >/dev/null
fi
[ -x artifacts/aot/worker ] || scripts/publish-hosts

echo_port=$(free_port); redis_port=$(free_port); garnet_port=$(free_port)
# shellcheck disable=SC2086 # word splitting of the extra options is intended
artifacts/aot/worker "$echo_port" --memory 2g --log-level warn $worker_args & pids+=($!)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 & pids+=($!)
"$tools/garnet/garnet-server" --port "$garnet_port" --bind 127.0.0.1 >"$work/garnet.log" 2>&1 & pids+=($!)
for p in "$echo_port" "$redis_port" "$garnet_port"; do wait_ping "$p"; done

bench() { # port pipeline tests -> csv lines "test,rps"
  timeout 300 redis-benchmark -h 127.0.0.1 -p "$1" -c 50 -d 64 -r 100000 -n "$(if [ "$2" = 16 ]; then echo "$requests_p16"; else echo "$requests"; fi)" -P "$2" -t "$3" --csv -q 2>/dev/null |
    awk -F'","' 'NR>1 || $1 !~ /test/ { gsub(/"/,"",$1); gsub(/"/,"",$2); if ($1 != "test") print $1","$2 }'
}

# A warm-up pass for each server (JIT, page faults, table growth), not counted.
for p in "$echo_port" "$redis_port" "$garnet_port"; do bench "$p" 16 set,get >/dev/null; done

# The order turns each round (echo redis garnet, redis garnet echo, garnet echo redis), so no server always runs
# first or right after the heaviest one.
orders=("echo redis garnet" "redis garnet echo" "garnet echo redis")
for round in $(seq 1 "$rounds"); do
  order=${orders[$(((round - 1) % 3))]}
  for pipeline in 1 16; do
    for server in $order; do
      port_var="${server}_port"
      bench "${!port_var}" "$pipeline" set,get | sed "s/^/$server,$pipeline,/" >>"$work/results.csv"
    done
    bench "$redis_port" "$pipeline" ping_mbulk | sed "s/^/redis,$pipeline,/" >>"$work/results.csv"
  done
  echo "compare-peers: round $round of $rounds done" >&2
done

python3 - "$work/results.csv" "$rounds" "$requests" "$requests_p16" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1])))
runs = {}
for server, pipeline, test, rps in rows:
    runs.setdefault((server, int(pipeline), test), []).append(float(rps))  # in round order
med = {k: statistics.median(v) for k, v in runs.items()}
def spread(k):
    v = runs.get(k, [])
    return f"{min(v):,.0f}–{max(v):,.0f}" if v else "-"
def round_ratios(pipeline, test, peer):  # echo/peer within each round
    return [e / p for e, p in zip(runs.get(("echo", pipeline, test), []), runs.get((peer, pipeline, test), [])) if p]
def paired(pipeline, test, peer):  # the median of those
    r = round_ratios(pipeline, test, peer)
    return statistics.median(r) if r else 0
print(f"redis-benchmark -c 50 -d 64 -r 100000 -n {sys.argv[3]} (pipeline 16: -n {sys.argv[4]}), median of {sys.argv[2]} interleaved rounds (requests/s)")
print()
print("| test | pipeline | echo worker | redis | garnet | echo/redis | echo/garnet | redis PING (ceiling) |")
print("|---|---|---|---|---|---|---|---|")
for pipeline in (1, 16):
    ping = med.get(("redis", pipeline, "PING_MBULK"), 0)
    for test in ("SET", "GET"):
        e = med.get(("echo", pipeline, test), 0); r = med.get(("redis", pipeline, test), 0); g = med.get(("garnet", pipeline, test), 0)
        print(f"| {test} | {pipeline} | {e:,.0f} | {r:,.0f} | {g:,.0f} | {e/r if r else 0:.2f} | {e/g if g else 0:.2f} | {ping:,.0f} |")
print()
print("Ranges over the rounds, and the ratio within each round (echo/redis; echo/garnet):")
print()
print("| test | pipeline | echo | redis | garnet | echo/redis by round | median | echo/garnet by round | median |")
print("|---|---|---|---|---|---|---|---|---|")
for pipeline in (1, 16):
    for test in ("SET", "GET"):
        by_redis = " ".join(f"{x:.2f}" for x in round_ratios(pipeline, test, "redis"))
        by_garnet = " ".join(f"{x:.2f}" for x in round_ratios(pipeline, test, "garnet"))
        print(f"| {test} | {pipeline} | {spread(('echo', pipeline, test))} | {spread(('redis', pipeline, test))} "
              f"| {spread(('garnet', pipeline, test))} | {by_redis} | {paired(pipeline, test, 'redis'):.2f} "
              f"| {by_garnet} | {paired(pipeline, test, 'garnet'):.2f} |")
print()
targets = [(1, "redis", 1.0), (16, "redis", 1.5), (16, "garnet", 1.0)]
verdicts = []
for pipeline, peer, target in targets:
    for test in ("SET", "GET"):
        e = med.get(("echo", pipeline, test), 0); p = med.get((peer, pipeline, test), 0)
        ratio = paired(pipeline, test, peer)
        verdicts.append(f"{test} P{pipeline} echo/{peer} {ratio:.2f} {'>=' if ratio >= target else '<'} {target:.1f}"
                        f" (of medians {e / p if p else 0:.2f})")
print("Targets (median ratio within a round): " + "; ".join(verdicts))
PY
