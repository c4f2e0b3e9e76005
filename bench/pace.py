#!/usr/bin/env python3
# Fixed-rate load for bench/sensor-throughput.sh: POSTs {"t": <wall-clock ns>, "message": ...}
# to URL at RATE events/s for SECONDS over CONNS kept-alive connections, and reports how many
# were answered 200 and how far the sender fell behind its schedule (so a rate the machine
# cannot hold is visible instead of silently lower).
# usage: bench/pace.py URL RATE SECONDS [CONNS]
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def worker(url, rate, seconds, out):
    u = urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    interval = 1.0 / rate
    start = time.monotonic()
    ok = bad = 0
    late = 0.0
    n = int(rate * seconds)
    for i in range(n):
        due = start + i * interval
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        else:
            late = max(late, now - due)
        body = json.dumps({"t": time.time_ns(), "message": "paced event %d" % i})
        try:
            conn.request("POST", u.path, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            ok += r.status == 200
            bad += r.status != 200
        except (OSError, http.client.HTTPException):
            bad += 1
            conn.close()
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    out.append((ok, bad, late))


def main():
    url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    conns = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    out = []
    threads = [threading.Thread(target=worker, args=(url, rate / conns, seconds, out))
               for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(o[0] for o in out)
    bad = sum(o[1] for o in out)
    late = max(o[2] for o in out)
    print(f"{ok} {bad} {late * 1000:.0f}")


if __name__ == "__main__":
    main()
