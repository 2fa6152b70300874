#!/usr/bin/env bash
# A memory flood against a local cluster (docs/operations.md, "worker", --memory): starts WORKERS workers with
# --memory MEMORY and the orchestrator on free loopback ports, and runs `echo-load flood` against the orchestrator
# for DURATION seconds: SETs of new keys with incompressible values of 16 B to 16 KiB (one in 8 with EX 3600), far
# more than the workers hold. Every SAMPLE seconds it prints what was written, each worker's evictions (from the
# orchestrator's INFO) and each worker's RSS and how far above --memory it is; at the end every write's fate, each
# worker's peak RSS, and a copy audit (net/Cluster/CopyAudit.cs) of every slot. It fails (exit 1) when a write was
# not acknowledged, the copies differ, or a worker's peak RSS passed --memory plus OVERHEAD. Stops everything (trap).
#
#   load/flood.sh                                  # 2 workers of 64 MiB, 5 minutes
#   WORKERS=3 MEMORY=256mb DURATION=600 load/flood.sh
#   load/flood.sh --max-value 64 --connections 8   # anything after the script goes to echo-load flood
#   ORCHESTRATOR_ARGS="--health-timeout 2000" load/flood.sh   # on a machine busy with other work
#
# The orchestrator's log is kept in a temporary folder; the workers it marked down during the run are listed at the
# end (a worker marked down is refilled by a resync; writes go on to its partner).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${ECHO_CACHE_BIN:-$root/artifacts/aot}
artifacts=${ECHO_LOAD_ARTIFACTS:-$root/artifacts}
workers=${WORKERS:-2}
memory=${MEMORY:-64mb}
overhead=${OVERHEAD:-24mb}
duration=${DURATION:-300}
sample=${SAMPLE:-10}
orchestrator_args=${ORCHESTRATOR_ARGS:-}
pids=()
work=$(mktemp -d /tmp/echo-flood.XXXXXX)
source "$root/load/lib.sh"  # free_port, wait_ping, stop_started, need_hosts
trap stop_started EXIT

need_hosts "$bin"
dotnet build load/EchoCache.Load.csproj -c Release -nologo -clp:ErrorsOnly -v quiet --artifacts-path "$artifacts" >/dev/null
tool="$artifacts/bin/EchoCache.Load/release/echo-load"

endpoints=(); list=(); watch=()
for i in $(seq 0 $((workers - 1))); do
  port=$(free_port)
  "$bin/worker" "$port" --memory "$memory" --log-level warn & pids+=("$!")
  wait_ping "$port" "worker $i"
  endpoints+=(127.0.0.1 "$port"); list+=("127.0.0.1:$port"); watch+=("w$i=${pids[-1]}")
done
orchestrator_port=$(free_port)
# shellcheck disable=SC2086 # word splitting of the extra options is intended
"$bin/orchestrator" "$orchestrator_port" "${endpoints[@]}" --log-level warn $orchestrator_args >"$work/orchestrator.log" 2>&1 &
pids+=("$!")
wait_ping "$orchestrator_port" orchestrator

report_downs() {
  echo "flood: workers marked down during the run: $(grep -c ' is down' "$work/orchestrator.log" || true)"
  grep ' is down' "$work/orchestrator.log" | head -20 || true
}
# The tool bounds itself (duration, timeouts); timeout is the last resort.
status=0
timeout $((duration + 600)) "$tool" flood --port "$orchestrator_port" --workers "$(IFS=,; echo "${list[*]}")" \
  --watch "$(IFS=,; echo "${watch[*]}")" --memory "$memory" --overhead "$overhead" --duration "$duration" --sample "$sample" "$@" || status=$?
report_downs
exit "$status"
