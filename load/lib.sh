# Shell helpers shared by the load scripts (sourced, not run).

# A TCP port free on 127.0.0.1 right now.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits (20 s at most) until the server on port $1 answers PING; $2 names it in the error.
wait_ping() {
  for _ in $(seq 1 200); do
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ] && return 0
    sleep 0.1
  done
  echo "$(basename "$0"): nothing answered PING on port $1${2:+ ($2)}" >&2
  exit 1
}
