#!/usr/bin/env bash
# Bytes per item of Redis and memcached holding the same data as bench's `memory` mode: ITEMS keys
# (default 1,000,000) of 16 bytes with 32-byte values. Installs both from Debian if missing, starts each on
# 127.0.0.1 on a free port, loads it by pipelining (redis-cli --pipe; memcached text protocol `set ...
# noreply` over one connection), then reports the RSS delta (/proc/PID/status VmRSS) and the server's own
# accounting (Redis INFO used_memory; memcached stats bytes, hash_bytes, total_malloced, limit_maxbytes).
# Stops every process it started, whatever happens. Prints a markdown table.
#
#   load/memory-peers.sh                 # 1M items
#   ITEMS=100000 load/memory-peers.sh    # fewer
set -euo pipefail

ITEMS=${ITEMS:-1000000}
MEMCACHED_MB=${MEMCACHED_MB:-1024}   # -m: far above the ~120 MB that 1M such items need, so nothing is evicted
work=$(mktemp -d /tmp/echo-peers.XXXXXX)
pids=()

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # Bounded wait: 50 x 0.1 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v redis-cli >/dev/null || need+=(redis-tools)
command -v memcached >/dev/null || need+=(memcached)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# A loopback port nothing listens on (a refused connection), from a range above the usual ones.
free_port() {
  local port
  for port in $(seq "$1" $(( $1 + 200 ))); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "no free port from $1" >&2
  return 1
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
per_item() { awk -v b="$1" -v n="$ITEMS" 'BEGIN { printf "%.1f", b / n }'; }

# ---------------------------------------------------------------- Redis
redis_port=$(free_port 17379)
redis-server --bind 127.0.0.1 --port "$redis_port" --protected-mode yes --save '' --appendonly no \
  --enable-debug-command local --daemonize no --dir "$work" --logfile "$work/redis.log" &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 100); do
  [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
  sleep 0.1
done
redis_info() { redis-cli -p "$redis_port" info memory | tr -d '\r' | awk -F: -v k="$1" '$1 == k { print $2 }'; }

redis_rss0=$(( $(rss_kb "$redis_pid") * 1024 ))
redis_used0=$(redis_info used_memory)
# Keys "key:%012d" (16 bytes), values "val:%028d" (32 bytes), as RESP SET commands.
awk -v n="$ITEMS" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$32\r\nval:%028d\r\n", i, i
}' | timeout 300 redis-cli -p "$redis_port" --pipe > "$work/redis-pipe.log"
keys=$(redis-cli -p "$redis_port" dbsize)
[ "$keys" = "$ITEMS" ] || { echo "redis holds $keys keys, not $ITEMS" >&2; cat "$work/redis-pipe.log" >&2; exit 1; }
# Let Redis finish incremental rehashing (active rehash runs in its cron) before reading, bounded to 10 s.
for _ in $(seq 100); do
  redis-cli -p "$redis_port" debug htstats 0 2>/dev/null | grep -qi "rehashing target" || break
  sleep 0.1
done
sleep 1
redis_rss1=$(( $(rss_kb "$redis_pid") * 1024 ))
redis_used1=$(redis_info used_memory)
redis_allocator=$(redis_info mem_allocator)
redis_version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')

# ---------------------------------------------------------------- memcached
mc_port=$(free_port 17211)
user=()
[ "$(id -u)" = 0 ] && user=(-u root)
memcached -l 127.0.0.1 -p "$mc_port" -U 0 -m "$MEMCACHED_MB" -t 2 -c 64 "${user[@]}" &
mc_pid=$!
pids+=("$mc_pid")

# One command, the reply read until the server closes after `quit`.
mc() {
  exec 3<>"/dev/tcp/127.0.0.1/$mc_port"
  printf '%s\r\nquit\r\n' "$1" >&3
  timeout 5 cat <&3 | tr -d '\r'
  exec 3<&- 3>&-
}
for _ in $(seq 100); do
  (mc version 2>/dev/null | grep -q '^VERSION') && break
  sleep 0.1
done
mc_stat() { mc "${2:-stats}" | awk -v k="$1" '$1 == "STAT" && $2 == k { print $3 }'; }

mc_rss0=$(( $(rss_kb "$mc_pid") * 1024 ))
mc_bytes0=$(mc_stat bytes)
mc_hash0=$(mc_stat hash_bytes)
mc_malloced0=$(mc_stat total_malloced "stats slabs")
# The same keys and values as Redis got; noreply, so the connection is never blocked by unread replies.
# The `version` at the end is answered only after every set before it on this connection was applied.
exec 4<>"/dev/tcp/127.0.0.1/$mc_port"
timeout 300 awk -v n="$ITEMS" 'BEGIN {
  for (i = 0; i < n; i++)
    printf "set key:%012d 0 0 32 noreply\r\nval:%028d\r\n", i, i
  printf "version\r\n"
}' >&4
read -r -t 120 reply <&4 || true
exec 4<&- 4>&-
case "$reply" in VERSION*) ;; *) echo "memcached did not answer after the load: '$reply'" >&2; exit 1 ;; esac
items=$(mc_stat curr_items)
[ "$items" = "$ITEMS" ] || { echo "memcached holds $items items, not $ITEMS" >&2; exit 1; }
# Wait (10 s at most) for the hash table's background expansion to end.
for _ in $(seq 100); do
  [ "$(mc_stat hash_is_expanding)" = 0 ] && break
  sleep 0.1
done
sleep 1
mc_rss1=$(( $(rss_kb "$mc_pid") * 1024 ))
mc_bytes1=$(mc_stat bytes)
mc_hash1=$(mc_stat hash_bytes)
mc_malloced1=$(mc_stat total_malloced "stats slabs")
mc_limit=$(mc_stat limit_maxbytes)
mc_version=$(mc version | awk '/^VERSION/ { print $2 }')
mc_chunk=$(mc "stats slabs" | awk '$1 == "STAT" && $2 ~ /:chunk_size$/ { split($2, a, ":"); size[a[1]] = $3 }
                                    $1 == "STAT" && $2 ~ /:used_chunks$/ && $3 > 0 { split($2, a, ":"); used = a[1] }
                                    END { print size[used] }')

echo
echo "$ITEMS items, 16-byte keys, 32-byte values"
echo
echo "| store | RSS delta B/item | own accounting B/item | detail |"
echo "| --- | ---: | ---: | --- |"
echo "| Redis $redis_version | $(per_item $(( redis_rss1 - redis_rss0 ))) | $(per_item $(( redis_used1 - redis_used0 ))) (INFO used_memory) | $redis_allocator, no persistence |"
echo "| memcached $mc_version | $(per_item $(( mc_rss1 - mc_rss0 ))) | $(per_item $(( mc_bytes1 - mc_bytes0 ))) (stats bytes); $(per_item $(( mc_bytes1 - mc_bytes0 + mc_hash1 - mc_hash0 ))) with hash_bytes; $(per_item $(( mc_malloced1 - mc_malloced0 ))) total_malloced (slab pages) | ${mc_chunk}-byte chunks, limit_maxbytes $mc_limit, hash table $mc_hash1 B |"
