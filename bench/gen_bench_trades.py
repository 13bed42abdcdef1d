#!/usr/bin/env python3
"""gen_bench_trades.py -- N raw trades for the trade-submit benchmark (deterministic, standard library only).

Same catalogue and trade builder as data/sample/gen_raw_trades.py; the mix the issue asks for: 1-5 lines per
trade, 10% with a suite, 20% cash on delivery, 3% with goods the catalogue does not know, the rest paid (70%) or
unpaid (7%). Buyers: N/3 distinct buyers, so customers have several orders (siblings, SUB-FLAG / SUB-WU).

Usage: gen_bench_trades.py [--trades N] [--seed S] > FILE.jsonl   (progress on stderr every 10,000)
"""
import argparse
import datetime as dt
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample"))
import gen_raw_trades as g  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trades", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=424242)
    a = ap.parse_args()
    gen = g.Gen()
    r = gen.r
    r.seed(a.seed)
    used = set()
    buyers = []
    for _ in range(max(1, a.trades // 3)):
        shop_id = r.choices([1, 2, 3], weights=[45, 30, 25])[0]
        buyers.append(dict(shop_id=shop_id, nick=gen.nick(shop_id, used), name=gen.person(), mobile=gen.mobile(),
                           telno="", addr=gen.address()))
    orig_choices = r.choices

    def lines_1_to_5(population, weights=None, k=1, **kw):  # widen the line-count draw of Gen.lines to 1..5
        if population == [1, 2, 3, 4] and weights == [55, 30, 12, 3]:
            return orig_choices([1, 2, 3, 4, 5], weights=[40, 25, 15, 12, 8], k=k)
        return orig_choices(population, weights=weights, k=k, **kw)

    r.choices = lines_1_to_5
    t = dt.datetime(2026, 11, 1, 0, 0, 0)
    seq = {}
    out = sys.stdout
    for i in range(a.trades):
        t = t + dt.timedelta(seconds=r.randint(1, 40))
        x = r.random()
        cat = "cod" if x < 0.20 else ("unpaid" if x < 0.27 else "paid")
        p = dict(buyer=r.choice(buyers), trade_time=t, cat=cat, suite=r.random() < 0.10,
                 unknown=r.random() < 0.03, cs_remark=r.choice(g.CS_REMARKS) if r.random() < 0.10 else "",
                 buyer_message="", invoice=False, other_addr=False)
        # the trade builder numbers tids per (platform, day); prefix B keeps them apart from the sample's
        tr = gen.trade(p, seq)
        tr["tid"] = "B" + tr["tid"]
        for o in tr["orders"]:
            o["oid"] = "B" + o["oid"]
        out.write(json.dumps(tr, ensure_ascii=False, separators=(",", ":")) + "\n")
        if (i + 1) % 10000 == 0:
            print(f"generated {i + 1}/{a.trades}", file=sys.stderr)


if __name__ == "__main__":
    main()
