#!/usr/bin/env python3
"""fs_client.py -- a flash-sale load client for the tests and the benchmark (issue 13): submits jobs to a gateway
over HTTP with keep-alive connections from several threads, then polls every job until it is terminal.

  fs_client.py --url http://127.0.0.1:PORT --token TOKEN --batch ID --jobs N --buyers B [--threads T]
               [--ids OUT] [--poll-timeout S] [--nums 1,2,3]
Prints one JSON line: submitted, refused (non-200 answers by status), complete, failed (by reason), pending (not
terminal when the poll gave up), submit_s, complete_s (first submit to last terminal seen), jobs_per_s.
Buyer u of job i: 1 + (i * 7919) % B; units: the --nums list taken in turn."""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--batch", type=int, required=True)
    ap.add_argument("--jobs", type=int, required=True)
    ap.add_argument("--buyers", type=int, required=True)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--nums", default="1,2,3")
    ap.add_argument("--ids")
    ap.add_argument("--poll-timeout", type=float, default=120)
    ap.add_argument("--user-base", type=int, default=0)
    a = ap.parse_args()
    u = urllib.parse.urlparse(a.url)
    nums = [int(x) for x in a.nums.split(",")]
    hdr = {"Authorization": "Bearer " + a.token, "Content-Type": "application/json"}
    ids = [None] * a.jobs
    refused = {}
    lock = threading.Lock()
    nxt = [0]

    def take():
        with lock:
            i = nxt[0]
            nxt[0] += 1
            return i if i < a.jobs else None

    def submitter():
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        while True:
            i = take()
            if i is None:
                break
            body = json.dumps({"user_id": a.user_base + 1 + (i * 7919) % a.buyers, "batch_id": a.batch,
                               "num": nums[i % len(nums)], "present_info": {"seq": i}})
            for attempt in range(3):
                try:
                    c.request("POST", "/api/order/job", body, hdr)
                    r = c.getresponse()
                    data = r.read()
                    break
                except (http.client.HTTPException, OSError):
                    c.close()
                    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                    if attempt == 2:
                        r, data = None, b""
            if r is not None and r.status == 200:
                ids[i] = json.loads(data)["jobId"]
            else:
                with lock:
                    k = str(r.status if r is not None else "conn")
                    refused[k] = refused.get(k, 0) + 1
        c.close()

    t0 = time.time()
    ts = [threading.Thread(target=submitter) for _ in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    t1 = time.time()
    got = [x for x in ids if x]
    if a.ids:
        with open(a.ids, "w") as f:
            f.write("\n".join(got) + ("\n" if got else ""))
    # poll until every job is terminal
    state = {}
    reasons = {}
    last = [t1]
    pending = list(got)
    deadline = time.time() + a.poll_timeout
    plock = threading.Lock()
    while pending and time.time() < deadline:
        chunks = [pending[k::a.threads] for k in range(a.threads)]
        still = []

        def poller(chunk):
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
            for jid in chunk:
                try:
                    c.request("GET", "/api/order/job/%s/state" % jid, headers=hdr)
                    r = c.getresponse()
                    d = json.loads(r.read() or b"{}")
                except (http.client.HTTPException, OSError, ValueError):
                    c.close()
                    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                    d = {}
                st = d.get("state")
                with plock:
                    if st in ("complete", "failed"):
                        state[jid] = st
                        last[0] = time.time()
                        if st == "failed":
                            reasons[d.get("reason", "?")] = reasons.get(d.get("reason", "?"), 0) + 1
                    else:
                        still.append(jid)
            c.close()

        ps = [threading.Thread(target=poller, args=(ch,)) for ch in chunks if ch]
        for p in ps:
            p.start()
        for p in ps:
            p.join()
        pending = still
        if pending:
            time.sleep(0.2)
    done = sum(1 for v in state.values() if v == "complete")
    out = {"submitted": len(got), "refused": refused, "complete": done,
           "failed": sum(1 for v in state.values() if v == "failed"), "reasons": reasons, "pending": len(pending),
           "submit_s": round(t1 - t0, 3), "complete_s": round(last[0] - t0, 3),
           "submit_per_s": round(len(got) / max(t1 - t0, 1e-9), 1),
           "jobs_per_s": round(len(state) / max(last[0] - t0, 1e-9), 1)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
