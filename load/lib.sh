# Shell helpers shared by the load scripts (sourced, not run). A script sets `pids=()` and `work` (a
# directory to remove, or empty) before `trap stop_started EXIT`, and adds each process it starts to pids.

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits (20 s at most) until the server on port $1 answers a RESP PING with +PONG; $2 names it in the error.
# Bash's /dev/tcp, so no redis-cli is needed; a subshell keeps the descriptor and a refused connection's errors.
wait_ping() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf '*1\r\n$4\r\nPING\r\n' >&3 && read -r -t 1 line <&3 && [[ $line == +PONG* ]]) 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "$(basename "$0"): nothing answered PING on port $1${2:+ ($2)}" >&2
  exit 1
}

# Waits (20 s at most) until port $1 accepts a connection (a worker with a cluster secret answers RESP with a refusal,
# so PING cannot tell it is up); $2 names it in the error.
wait_listen() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "$(basename "$0"): nothing listened on port $1${2:+ ($2)}" >&2
  exit 1
}

# Whether process $1 still runs (a zombie is gone).
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# Stops every process in pids, newest first, each gone before the next (bounded: 5 s, then SIGKILL), so an
# orchestrator stops before its workers; then removes $work if set.
stop_started() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || continue
    for _ in $(seq 50); do alive "${pids[i]}" || break; sleep 0.1; done
    kill -9 "${pids[i]}" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [ -n "${work:-}" ]; then rm -rf "$work"; fi
}

# Publishes the hosts when $1 (a directory) lacks the worker or the orchestrator; when the caller pointed
# ECHO_CACHE_BIN there, says so and exits instead.
need_hosts() {
  if [ ! -x "$1/worker" ] || [ ! -x "$1/orchestrator" ]; then
    if [ -n "${ECHO_CACHE_BIN:-}" ]; then
      echo "$(basename "$0"): no worker/orchestrator in ECHO_CACHE_BIN=$1" >&2; exit 1
    fi
    scripts/publish-hosts
  fi
}
