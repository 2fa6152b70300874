#!/usr/bin/env bash
# Compares the Echo Cache orchestrator over two workers with twemproxy (nutcracker) over two Redis servers
# under redis-benchmark, all on 127.0.0.1: SET and GET with -c 50 -d 64 -r 100000 at pipeline 1 and 16, in
# interleaved rounds. Prints the median requests/s of each, the ratio Echo/twemproxy, and Redis's PING rate
# (this machine's round-trip ceiling with one load process, measured directly on one Redis) from the same rounds.
#
# The two are not doing the same work: twemproxy shards (each key on one Redis, no copy), while the
# orchestrator replicates (every SET is written to both workers and acknowledged once both applied it).
#
# Starts and stops every process itself (trap), each on a free loopback port; every benchmark run is bounded
# in requests (REQUESTS) and time (timeout).
#
#   load/compare-cluster.sh                          # 3 rounds of 200k requests per test (2M at pipeline 16)
#   ROUNDS=5 REQUESTS=500000 load/compare-cluster.sh
#   ECHO_CACHE_BIN=/tmp/echo-load/aot load/compare-cluster.sh   # hosts published elsewhere
#   ORCHESTRATOR_ARGS="--threads 2" load/compare-cluster.sh     # extra orchestrator options
#   BASELINE_BIN=/tmp/before/aot load/compare-cluster.sh       # also an earlier build, in the same rounds
#   ECHO_SECURE=1 BASELINE_BIN=… load/compare-cluster.sh         # this build's cluster with a cluster secret and a
#                                                                # client password (AUTH); the baseline without
#
# At pipeline 16 it also runs two decided writes through the orchestrator (INCR, and SET ... NX on fresh random
# keys), each decided on one copy and its outcome replicated, and prints them as a ratio to plain SET in the
# same rounds. twemproxy runs them too (each a single command on one Redis), for reference.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-3}
requests=${REQUESTS:-200000}
# Pipeline 16 runs ten times as many: 200k requests at well over a million a second last a tenth of a second,
# too short to measure (connection set-up and the first reads weigh in).
requests_p16=${REQUESTS_P16:-$((requests * 10))}
bench_timeout=${BENCH_TIMEOUT:-300}
bin=${ECHO_CACHE_BIN:-$root/artifacts/aot}
orchestrator_args=${ORCHESTRATOR_ARGS:-}
worker_args=${WORKER_ARGS:-}
work=$(mktemp -d /tmp/echo-cluster.XXXXXX)
echo_auth=()
if [ "${ECHO_SECURE:-}" = 1 ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 >"$work/cluster.secret" && echo "bench-password" >"$work/password")
  worker_args="$worker_args --cluster-secret-file $work/cluster.secret"
  orchestrator_args="$orchestrator_args --cluster-secret-file $work/cluster.secret --requirepass-file $work/password"
  echo_auth=(-a bench-password)
fi
pids=()
source "$root/load/lib.sh"  # free_port, wait_ping, stop_started, need_hosts
trap stop_started EXIT

# --- peers and our binaries -----------------------------------------------------------------------
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-benchmark >/dev/null || need+=(redis-tools)
command -v nutcracker >/dev/null || [ -x /usr/sbin/nutcracker ] || need+=(nutcracker)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
# The Debian packages start system-wide services on their default ports; this script runs its own on free ports.
nutcracker=$(command -v nutcracker || echo /usr/sbin/nutcracker)
need_hosts "$bin"


# --- Echo Cache: two workers and the orchestrator -------------------------------------------------
worker1_port=$(free_port); worker2_port=$(free_port); echo_port=$(free_port)
# shellcheck disable=SC2086 # word splitting of the extra options is intended
"$bin/worker" "$worker1_port" --memory 2g --log-level warn $worker_args >"$work/worker1.log" 2>&1 & pids+=($!)
# shellcheck disable=SC2086
"$bin/worker" "$worker2_port" --memory 2g --log-level warn $worker_args >"$work/worker2.log" 2>&1 & pids+=($!)
wait_listen "$worker1_port" worker; wait_listen "$worker2_port" worker
# shellcheck disable=SC2086
"$bin/orchestrator" "$echo_port" 127.0.0.1 "$worker1_port" 127.0.0.1 "$worker2_port" --log-level warn $orchestrator_args \
  >"$work/orchestrator.log" 2>&1 & pids+=($!)
wait_ping "$echo_port" orchestrator

# --- optionally, the same cluster from an earlier build ---------------------------------------------
base_port=""
if [ -n "${BASELINE_BIN:-}" ]; then
  need_hosts "$BASELINE_BIN"
  base1_port=$(free_port); base2_port=$(free_port); base_port=$(free_port)
  "$BASELINE_BIN/worker" "$base1_port" --memory 2g --log-level warn >"$work/base1.log" 2>&1 & pids+=($!)
  "$BASELINE_BIN/worker" "$base2_port" --memory 2g --log-level warn >"$work/base2.log" 2>&1 & pids+=($!)
  wait_ping "$base1_port" worker; wait_ping "$base2_port" worker
  "$BASELINE_BIN/orchestrator" "$base_port" 127.0.0.1 "$base1_port" 127.0.0.1 "$base2_port" --log-level warn \
    >"$work/base-orchestrator.log" 2>&1 & pids+=($!)
  wait_ping "$base_port" orchestrator
fi

# --- twemproxy over two Redis servers -------------------------------------------------------------
redis1_port=$(free_port); redis2_port=$(free_port); twem_port=$(free_port); twem_stats_port=$(free_port)
for p in "$redis1_port" "$redis2_port"; do
  redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis-$p.log" 2>&1 & pids+=($!)
done
wait_ping "$redis1_port" redis; wait_ping "$redis2_port" redis
cat >"$work/nutcracker.yml" <<EOF
cluster:
  listen: 127.0.0.1:$twem_port
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  preconnect: true
  timeout: 2000
  servers:
   - 127.0.0.1:$redis1_port:1 redis1
   - 127.0.0.1:$redis2_port:1 redis2
EOF
"$nutcracker" --test-conf --conf-file="$work/nutcracker.yml" >"$work/nutcracker-test.log" 2>&1 ||
  { cat "$work/nutcracker-test.log" >&2; exit 1; }
"$nutcracker" --conf-file="$work/nutcracker.yml" --stats-addr=127.0.0.1 --stats-port="$twem_stats_port" \
  --output="$work/nutcracker.log" --verbose=4 & pids+=($!)
wait_ping "$twem_port" twemproxy

auth_of() { # port -> redis-benchmark's password option for it (this build's cluster under ECHO_SECURE)
  if [ "$1" = "$echo_port" ] && [ ${#echo_auth[@]} -gt 0 ]; then printf '%s\n' "${echo_auth[@]}"; fi
}
bench() { # port pipeline tests -> csv lines "test,rps"
  # shellcheck disable=SC2046 # auth_of prints zero or two words
  timeout "$bench_timeout" redis-benchmark -h 127.0.0.1 -p "$1" $(auth_of "$1") -c 50 -d 64 -r 100000 -n "$(if [ "$2" = 16 ]; then echo "$requests_p16"; else echo "$requests"; fi)" -P "$2" -t "$3" --csv -q 2>/dev/null |
    awk -F'","' 'NR>1 || $1 !~ /test/ { gsub(/"/,"",$1); gsub(/"/,"",$2); if ($1 != "test") print $1","$2 }'
}
setnx() { # port -> csv line "SETNX,rps": SET ... NX on random keys of a key space of its own, at pipeline 16
  # shellcheck disable=SC2046
  timeout "$bench_timeout" redis-benchmark -h 127.0.0.1 -p "$1" $(auth_of "$1") -c 50 -r 1000000000 -n "$requests_p16" -P 16 --csv -q \
    set "nx:__rand_int__" vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv nx 2>/dev/null |
    awk -F'","' '$1 !~ /test/ { gsub(/"/,"",$2); print "SETNX,"$2 }'
}

echo "compare-cluster: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
# A warm-up pass for each (page faults, table growth, connection setup), not counted. It also fills the key
# space, so every GET below finds most keys.
servers="echo twem"; [ -n "$base_port" ] && servers="echo base twem"
for server in $servers; do port_var="${server}_port"; bench "${!port_var}" 16 set,get >/dev/null; done

# Rounds rotate which goes first, so a slow moment of the machine does not always hit the same one.
for round in $(seq 1 "$rounds"); do
  order=$(echo "$servers" | tr ' ' '\n' | awk -v r="$round" '{ a[NR-1] = $0 } END { for (i = 0; i < NR; i++) printf "%s ", a[(i + r) % NR] }')
  for pipeline in 1 16; do
    for server in $order; do
      port_var="${server}_port"
      bench "${!port_var}" "$pipeline" set,get | sed "s/^/$server,$pipeline,/" >>"$work/results.csv"
      if [ "$pipeline" = 16 ] && [ "$server" != base ]; then
        # The decided writes (a build before them refused SET NX through the orchestrator: not run there).
        bench "${!port_var}" 16 incr | sed "s/^/$server,16,/" >>"$work/results.csv"
        setnx "${!port_var}" | sed "s/^/$server,16,/" >>"$work/results.csv"
      fi
    done
    bench "$redis1_port" "$pipeline" ping_mbulk | sed "s/^/redis,$pipeline,/" >>"$work/results.csv"
  done
  echo "compare-cluster: round $round of $rounds done (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done

# A failed request through twemproxy shows in its log (server errors, ejections), through Echo in the orchestrator's.
grep -i -E "error|eject" "$work/nutcracker.log" | head -5 >&2 || true
grep -i -E "down|error" "$work/orchestrator.log" | head -5 >&2 || true

python3 - "$work/results.csv" "$rounds" "$requests" "$requests_p16" <<'PY'
import csv, statistics, sys
rows = list(csv.reader(open(sys.argv[1])))
runs = {}
for server, pipeline, test, rps in rows:
    runs.setdefault((server, int(pipeline), test), []).append(float(rps))
med = {k: statistics.median(v) for k, v in runs.items()}
has_base = any(k[0] == "base" for k in runs)
def spread(k):
    v = runs.get(k, [])
    return f"{min(v):,.0f}–{max(v):,.0f}" if v else "-"
print(f"redis-benchmark -c 50 -d 64 -r 100000 -n {sys.argv[3]} (pipeline 16: -n {sys.argv[4]}), median of {sys.argv[2]} interleaved rounds (requests/s)")
print("Echo Cache: orchestrator over 2 workers; every SET is written to BOTH workers (replicated).")
print("twemproxy: nutcracker over 2 Redis servers, fnv1a_64/ketama; each key on ONE Redis (no replication).")
print()
base_head = " base orchestrator | base/twemproxy |" if has_base else ""
print(f"| test | pipeline | echo orchestrator | twemproxy | echo/twemproxy |{base_head} echo range | twemproxy range | redis PING (ceiling) |")
print("|---|---|---|---|---|" + ("---|---|" if has_base else "") + "---|---|---|")
for pipeline in (1, 16):
    ping = med.get(("redis", pipeline, "PING_MBULK"), 0)
    for test in ("SET", "GET"):
        e = med.get(("echo", pipeline, test), 0); t = med.get(("twem", pipeline, test), 0)
        b = med.get(("base", pipeline, test), 0)
        base_cells = f" {b:,.0f} | {b/t if t else 0:.2f} |" if has_base else ""
        print(f"| {test} | {pipeline} | {e:,.0f} | {t:,.0f} | {e/t if t else 0:.2f} |{base_cells} {spread(('echo', pipeline, test))} "
              f"| {spread(('twem', pipeline, test))} | {ping:,.0f} |")
# Each round runs every server once per test, in order, so the i-th figure of each list is from round i: the
# median of the ratios within a round is steadier than the ratio of the medians on a noisy machine.
def round_ratios(a, b):
    x, y = runs.get(a, []), runs.get(b, [])
    return [p / q for p, q in zip(x, y) if q]
def round_ratio(a, b):
    ratios = round_ratios(a, b)
    return statistics.median(ratios) if ratios else 0
def round_range(a, b):
    ratios = round_ratios(a, b)
    return f"{min(ratios):.2f}–{max(ratios):.2f}" if ratios else "-"
print()
print("Median of the per-round ratios:")
print()
print("| test | pipeline | echo/twemproxy |" + (" base/twemproxy | echo/base | echo/base range |" if has_base else ""))
print("|---|---|---|" + ("---|---|---|" if has_base else ""))
for pipeline in (1, 16):
    for test in ("SET", "GET"):
        cells = (f" {round_ratio(('base', pipeline, test), ('twem', pipeline, test)):.2f} | {round_ratio(('echo', pipeline, test), ('base', pipeline, test)):.2f} "
                 f"| {round_range(('echo', pipeline, test), ('base', pipeline, test))} |") if has_base else ""
        print(f"| {test} | {pipeline} | {round_ratio(('echo', pipeline, test), ('twem', pipeline, test)):.2f} |{cells}")
print()
print("Decided writes at pipeline 16, as a ratio to plain SET through the same server in the same rounds:")
print()
print("| test | echo orchestrator | echo / echo SET (per round) | twemproxy | twemproxy / twemproxy SET (per round) |")
print("|---|---|---|---|---|")
for test in ("INCR", "SETNX"):
    e = med.get(("echo", 16, test), 0); t = med.get(("twem", 16, test), 0)
    print(f"| {test} | {e:,.0f} | {round_ratio(('echo', 16, test), ('echo', 16, 'SET')):.2f} | {t:,.0f} "
          f"| {round_ratio(('twem', 16, test), ('twem', 16, 'SET')):.2f} |")
print()
print("Targets: echo/twemproxy >= 1.0 at pipeline 16, >= 0.8 at pipeline 1; decided writes >= 0.5x plain SET.")
PY
