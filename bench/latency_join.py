#!/usr/bin/env python3
# Joins the stamps bench/latency.sh collects for each event and prints percentiles of the whole
# path and of its parts. Per event (joined by the CloudEvent id):
#   sent    the sender's wall clock before the POST (bench/pace.py, body.t)
#   made    the CloudEvent's time: the EventSource read the request and made the event (read
#           back from the stream, with stored)
#   stored  JetStream's timestamp of the message (read back from the stream after the run)
#   acked   the EventSource's "Succeeded to publish an event" line (the ack came back; the 200
#           goes out right after)
#   fetched the Sensor's "received an event" line (debug level; fetched and decoded)
#   sunk    the sink read the trigger's whole request
#   done    the Sensor's "Successfully processed trigger" line (the trigger's answer came back)
# usage: latency_join.py SINK_FILE ES_LOG SENSOR_LOG [NATS_PORT]
#        latency_join.py --direct SINK_FILE   (pace.py straight at the sink: the reference)
# prints one line per part: name count p50 p99 p99.9 max (microseconds)
import base64
import calendar
import json
import socket
import sys


def rfc3339_ns(s):
    """2026-12-03T15:54:59.292785679Z (or +00:00) as ns since the epoch."""
    s = s.rstrip("Z").replace("+00:00", "")
    head, _, frac = s.partition(".")
    sec = calendar.timegm(tuple(int(x) for x in head.replace("T", "-").replace(":", "-").split("-")) + (0, 0, 0))
    return sec * 10**9 + int((frac + "000000000")[:9])


def log_stamps(path, msg, id_of):
    out = {}
    with open(path, errors="replace") as f:
        for line in f:
            if msg not in line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("msg") != msg:
                continue
            for i in id_of(rec):
                out.setdefault(i, rfc3339_ns(rec["ts"]))
    return out


def triggered_ids(rec):
    ids = rec.get("triggeredByEvents", [])
    if isinstance(ids, str):
        try:
            ids = json.loads(ids)
        except ValueError:
            ids = [ids]
    return ids


def nats_reply(s, f):
    """The payload of the next MSG on the connection (answering the server's PINGs)."""
    while True:
        line = f.readline()
        if not line:
            return None
        if line.startswith(b"PING"):
            s.sendall(b"PONG\r\n")
        elif line.startswith(b"MSG"):
            n = int(line.split()[-1])
            return f.read(n + 2)[:n]


def stream_times(port):
    """JetStream's stored time and the CloudEvent's time of every message of stream "default",
    by CloudEvent id (the time parameter a trigger can send has whole seconds only)."""
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    f.readline()  # INFO
    s.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.lat 1\r\n'
              b'PUB $JS.API.STREAM.INFO.default _INBOX.lat 0\r\n\r\n')
    count = json.loads(nats_reply(s, f))["state"]["last_seq"]
    req = b"".join(b'PUB $JS.API.STREAM.MSG.GET.default _INBOX.lat %d\r\n{"seq":%d}\r\n'
                   % (len(b'{"seq":%d}' % i), i) for i in range(1, count + 1))
    s.sendall(req + b"PING\r\n")
    stored, made = {}, {}
    got = 0
    while got < count:
        body = nats_reply(s, f)
        if body is None:
            break
        got += 1
        m = json.loads(body).get("message")
        if not m:
            continue
        try:
            ev = json.loads(base64.b64decode(m["data"]))
        except ValueError:
            continue
        if "id" in ev:
            stored[ev["id"]] = rfc3339_ns(m["time"])
            made[ev["id"]] = rfc3339_ns(ev["time"])
    s.close()
    return stored, made


def pct(xs, p):
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def direct(sink_file):
    """The reference: the sender's stamp to the sink with nothing in between."""
    xs = []
    with open(sink_file, errors="replace") as f:
        for line in f:
            at, _, body = line.rstrip("\n").partition("\t")
            try:
                xs.append(int(at) - int(json.loads(body)["t"]))
            except (ValueError, KeyError):
                continue
    show("reference sent->sunk (no cevents)", xs)


def main():
    if sys.argv[1] == "--direct":
        direct(sys.argv[2])
        return
    sink_file, es_log, sn_log = sys.argv[1:4]
    port = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    events = {}
    with open(sink_file, errors="replace") as f:
        for line in f:
            at, _, body = line.rstrip("\n").partition("\t")
            try:
                b = json.loads(body)
            except ValueError:
                continue
            events[b["id"]] = {"sent": int(b["t"]), "sunk": int(at)}
    stamps = {
        "acked": log_stamps(es_log, "Succeeded to publish an event", lambda r: [r.get("eventID")]),
        "fetched": log_stamps(sn_log, "received an event", lambda r: [r.get("eventID")]),
        "done": log_stamps(sn_log, "Successfully processed trigger 'to-sink'", triggered_ids),
    }
    if port:
        stamps["stored"], stamps["made"] = stream_times(port)
    for i, e in events.items():
        for k, table in stamps.items():
            if i in table:
                e[k] = table[i]
    parts = [
        ("total sent->sunk", "sent", "sunk"),
        ("sent->made (HTTP in, EventSource)", "sent", "made"),
        ("made->stored (publish, JetStream write)", "made", "stored"),
        ("stored->acked (ack back, log line)", "stored", "acked"),
        ("made->acked (publish round trip)", "made", "acked"),
        ("stored->fetched (to the Sensor, decode)", "stored", "fetched"),
        ("made->fetched", "made", "fetched"),
        ("stored->sunk (to the Sensor, through it)", "stored", "sunk"),
        ("fetched->sunk (filters, params, HTTP out)", "fetched", "sunk"),
        ("sunk->done (answer back, log line)", "sunk", "done"),
    ]
    for name, a, b in parts:
        show(name, [e[b] - e[a] for e in events.values() if a in e and b in e])
    split_fetch_wait(events)


def show(name, ns):
    xs = sorted(x / 1000 for x in ns)
    if xs:
        print(f"{name:44s} n={len(xs):6d}  p50 {pct(xs, .5):8.0f}  p99 {pct(xs, .99):8.0f}  "
              f"p99.9 {pct(xs, .999):8.0f}  max {xs[-1]:8.0f} us")


def split_fetch_wait(events):
    """stored->fetched in two: the time the event waited while the Sensor's consumer was still
    busy with the events before it (until the previous event's trigger line), and the time from
    the consumer being free (and the event stored) to the consumer having it: the pull request,
    the delivery, the wake-ups. One trigger means one consumer thread, so the order of the
    fetched stamps is the order it took the events in."""
    seq = sorted((e for e in events.values() if "fetched" in e and "stored" in e and "done" in e),
                 key=lambda e: e["fetched"])
    busy, free = [], []
    for prev, e in zip(seq, seq[1:]):
        ready = max(e["stored"], prev["done"])
        busy.append(max(0, min(e["fetched"], prev["done"]) - e["stored"]))
        free.append(max(0, e["fetched"] - ready))
    show("  stored->fetched: behind earlier events", busy)
    show("  stored->fetched: consumer free->had it", free)


if __name__ == "__main__":
    main()
