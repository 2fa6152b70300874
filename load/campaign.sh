#!/usr/bin/env bash
# A load campaign against a local cluster: starts two workers and the orchestrator on free loopback ports, runs the
# load tool (load/EchoCache.Load.csproj, `echo-load`) against the orchestrator over the native binary protocol,
# closed loop at max for DURATION seconds, then open loop at RATE_FRACTION of the closed loop's throughput for
# DURATION seconds, and stops everything (trap). The tool prints a progress line every second and writes a
# markdown report with a PNG chart per phase under load/reports/ (git-ignored); its path is the last line.
#
#   load/campaign.sh                                   # 20 s closed loop, 20 s open loop at half its throughput
#   DURATION=10 CONNECTIONS=16 DEPTH=8 load/campaign.sh
#   CLIENT=echo load/campaign.sh                       # through the client library (to measure what it costs)
#   TARGET=worker load/campaign.sh                     # one worker directly (the tool's own ceiling)
#   ECHO_CACHE_BIN=/tmp/x/aot ECHO_LOAD_ARTIFACTS=/tmp/x load/campaign.sh   # hosts and the tool built elsewhere
#   load/campaign.sh --get-percent 50 --keys 1000000   # anything after the script goes to echo-load
#
# ScottPlot draws text with the system's fonts through fontconfig; if fc-list finds no font, fontconfig and
# fonts-dejavu-core are installed with apt first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
bin=${ECHO_CACHE_BIN:-$root/artifacts/aot}
artifacts=${ECHO_LOAD_ARTIFACTS:-$root/artifacts}
duration=${DURATION:-20}
connections=${CONNECTIONS:-8}
depth=${DEPTH:-16}
rate_fraction=${RATE_FRACTION:-0.5}
client=${CLIENT:-fast}
target=${TARGET:-orchestrator}
reports=${REPORTS:-$root/load/reports}
orchestrator_args=${ORCHESTRATOR_ARGS:-}
pids=()
work=
source "$root/load/lib.sh"  # free_port, wait_ping, stop_started, need_hosts
trap stop_started EXIT

# --- fonts for the chart, the hosts, the tool -----------------------------------------------------
if ! command -v fc-list >/dev/null || [ -z "$(fc-list 2>/dev/null | head -1)" ]; then
  echo "campaign: no font found for the charts; installing fontconfig and fonts-dejavu-core with apt" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fontconfig fonts-dejavu-core >/dev/null
fi
need_hosts "$bin"
dotnet build load/EchoCache.Load.csproj -c Release -nologo -clp:ErrorsOnly -v quiet --artifacts-path "$artifacts" >/dev/null
tool="$artifacts/bin/EchoCache.Load/release/echo-load"

# --- the cluster ----------------------------------------------------------------------------------
worker1_port=$(free_port); worker2_port=$(free_port); orchestrator_port=$(free_port)
"$bin/worker" "$worker1_port" --memory 2g --log-level warn & worker1=$!; pids+=("$worker1")
"$bin/worker" "$worker2_port" --memory 2g --log-level warn & worker2=$!; pids+=("$worker2")
wait_ping "$worker1_port" worker; wait_ping "$worker2_port" worker
# shellcheck disable=SC2086 # word splitting of the extra options is intended
"$bin/orchestrator" "$orchestrator_port" 127.0.0.1 "$worker1_port" 127.0.0.1 "$worker2_port" --log-level warn $orchestrator_args &
orchestrator=$!; pids+=("$orchestrator")
wait_ping "$orchestrator_port" orchestrator

if [ "$target" = worker ]; then
  port=$worker1_port; watch="worker1=$worker1"; name="campaign-worker"
else
  port=$orchestrator_port; watch="worker1=$worker1,worker2=$worker2,orchestrator=$orchestrator"; name="campaign"
fi
echo "campaign: load average $(cut -d' ' -f1-3 /proc/loadavg); $target on 127.0.0.1:$port; client $client" >&2
# The tool bounds itself (duration, request budget, a watchdog); timeout is the last resort.
timeout $((4 * duration + 240)) "$tool" --port "$port" --mode both --duration "$duration" --connections "$connections" \
  --depth "$depth" --rate-fraction "$rate_fraction" --client "$client" --watch "$watch" --reports "$reports" --name "$name" "$@"
