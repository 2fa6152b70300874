#!/usr/bin/env python3
"""Failover and resync times of an Echo Cache cluster, measured on loopback.

Starts two workers and an orchestrator on free 127.0.0.1 ports, loads KEYS keys (16-byte keys, 32-byte values)
through the orchestrator, then for ROUNDS rounds:
  - kill -9 one worker and time, from the kill, the first successful GET and SET of keys it held (with two
    workers every key lives on both);
  - restart it on the same port and time its resync: the orchestrator's own figure from its log line
    "resync complete: N items in X ms", and the wall time from the restart to that line.
Prints the median of each. Stops everything it started.

    python3 load/failover.py                 # 1,000,000 keys, 3 rounds
    KEYS=100000 ROUNDS=5 python3 load/failover.py
"""
import os, re, signal, socket, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("ECHO_CACHE_BIN", os.path.join(ROOT, "artifacts", "aot"))
KEYS = int(os.environ.get("KEYS", "1000000"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
processes = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*args, log=None):
    p = subprocess.Popen([os.path.join(BIN, args[0]), *map(str, args[1:])], stdout=log or subprocess.DEVNULL,
                         stderr=subprocess.STDOUT)
    processes.append(p)
    return p


def wait_port(port, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.01)
    sys.exit(f"failover: nothing listens on {port}")


def resp(*parts):
    out = f"*{len(parts)}\r\n".encode()
    for p in parts:
        p = p if isinstance(p, bytes) else str(p).encode()
        out += b"$%d\r\n%s\r\n" % (len(p), p)
    return out


def read_replies(sock, count):
    """Reads `count` RESP replies (simple, error, integer or bulk) and returns them."""
    buf, replies = b"", []
    while len(replies) < count:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
        while len(replies) < count:
            end = buf.find(b"\r\n")
            if end < 0:
                break
            kind, line = buf[:1], buf[1:end]
            if kind == b"$" and int(line) >= 0:
                total = end + 2 + int(line) + 2
                if len(buf) < total:
                    break
                replies.append(buf[end + 2:total - 2])
                buf = buf[total:]
            else:
                replies.append(buf[:end])
                buf = buf[end + 2:]
    return replies


def key(i):
    return b"key:%012d" % i  # 16 bytes


def value(i):
    return b"value:%026d" % i  # 32 bytes


def load(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        batch = 5000
        for start_at in range(0, KEYS, batch):
            n = min(batch, KEYS - start_at)
            s.sendall(b"".join(resp("SET", key(i), value(i)) for i in range(start_at, start_at + n)))
            bad = [r for r in read_replies(s, n) if r != b"+OK"]
            if bad:
                sys.exit(f"failover: load failed: {bad[:3]}")


def first_success(port, command, expect):
    """Time from now until `command` first answers `expect` on a fresh connection (retrying on errors)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10:
        try:
            with socket.create_connection(("127.0.0.1", port), 1) as s:
                s.sendall(command)
                if read_replies(s, 1)[0] == expect:
                    return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.001)
    return float("inf")


def main():
    p0, p1, po = free_port(), free_port(), free_port()
    log_path = os.path.join("/tmp", f"echo-failover-{os.getpid()}.log")
    log = open(log_path, "w+")
    workers = {p0: start("worker", p0, "--log-level", "warn"), p1: start("worker", p1, "--log-level", "warn")}
    wait_port(p0); wait_port(p1)
    start("orchestrator", po, "127.0.0.1", p0, "127.0.0.1", p1, log=log)
    wait_port(po)
    t = time.monotonic()
    load(po)
    print(f"loaded {KEYS:,} keys (16 B keys, 32 B values) through the orchestrator in {time.monotonic() - t:.1f} s")

    read_ms, write_ms, resync_ms, resync_wall_ms = [], [], [], []
    for r in range(ROUNDS):
        victim = (p0, p1)[r % 2]
        probe = r * 7919 % KEYS
        workers[victim].send_signal(signal.SIGKILL)
        killed = time.monotonic()
        read = first_success(po, resp("GET", key(probe)), value(probe))
        wrote = first_success(po, resp("SET", key(probe), value(probe)), b"+OK")
        read_ms.append(read * 1000)
        write_ms.append((time.monotonic() - killed) * 1000 if wrote != float("inf") else wrote)
        workers[victim].wait()
        log.seek(0, os.SEEK_END)
        mark = log.tell()
        restarted = time.monotonic()
        workers[victim] = start("worker", victim, "--log-level", "warn")
        while True:
            log.seek(mark)
            found = re.search(r"resync complete: (\d+) items in (\d+) ms", log.read())
            if found:
                resync_wall_ms.append((time.monotonic() - restarted) * 1000)
                resync_ms.append(int(found.group(2)))
                break
            if time.monotonic() - restarted > 60:
                sys.exit("failover: no resync within 60 s")
            time.sleep(0.005)
        print(f"round {r + 1}: kill -9 worker on {victim}: first read {read_ms[-1]:.1f} ms, first write {write_ms[-1]:.1f} ms "
              f"after the kill; resync of {found.group(1)} items {resync_ms[-1]} ms (restart to up: {resync_wall_ms[-1]:.0f} ms)")
    print()
    print(f"median over {ROUNDS} rounds: failover read {statistics.median(read_ms):.1f} ms, write {statistics.median(write_ms):.1f} ms; "
          f"resync of {KEYS:,} keys {statistics.median(resync_ms):.0f} ms (restart to up {statistics.median(resync_wall_ms):.0f} ms)")


try:
    main()
finally:
    for p in processes:
        if p.poll() is None:
            p.kill()
