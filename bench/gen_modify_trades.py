#!/usr/bin/env python3
"""gen_modify_trades.py -- the trades of the trade-modify benchmark (bench/run_modify_bench.sh), deterministic,
standard library only.

Writes three files into OUTDIR:
  unpaid.jsonl   N raw trades, every one unpaid (trade_status 10, pay_status 0, delivery_term 1), goods the
                 sample catalogue knows (so every trade is submitted: an order with unpay_num reservations);
                 1-5 lines, 10% with a suite, N/3 buyers (customers with several orders), as gen_bench_trades.py.
  changes.jsonl  one later version of each of those trades (modified + 10 min), the issue's mix:
                   40% paid          trade 10 -> 30, pay_status 0 -> 2, pay_time, paid amounts, sub-orders 30
                   20% line refund   one sub-order status 80, refund_status 5 (trades with >= 2 sub-orders;
                                     the trade's refund_status 2)
                   10% whole refund  trade_status 80, refund_status 3, every sub-order 80 / refund_status 5
                   30% remark/address, a third each: cs_remark set, buyer_message set, receiver_address changed
  kinds.tsv      tid <TAB> kind (paid | line_refund | refund | cs_remark | buyer_message | address)

Usage: gen_modify_trades.py [--trades N] [--seed S] OUTDIR
"""
import argparse
import copy
import datetime as dt
import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "sample"))
import gen_raw_trades as g  # noqa: E402

FMT = "%Y-%m-%d %H:%M:%S"


def bump(t, minutes):
    return (dt.datetime.strptime(t["modified"] or t["trade_time"], FMT) + dt.timedelta(minutes=minutes)).strftime(FMT)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trades", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("outdir")
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

    def lines_1_to_5(population, weights=None, k=1, **kw):  # as gen_bench_trades.py: 1..5 lines
        if population == [1, 2, 3, 4] and weights == [55, 30, 12, 3]:
            return orig_choices([1, 2, 3, 4, 5], weights=[40, 25, 15, 12, 8], k=k)
        return orig_choices(population, weights=weights, k=k, **kw)

    r.choices = lines_1_to_5
    t0 = dt.datetime(2026, 11, 1, 0, 0, 0)
    seq = {}
    trades = []
    for i in range(a.trades):
        t0 = t0 + dt.timedelta(seconds=r.randint(1, 40))
        p = dict(buyer=r.choice(buyers), trade_time=t0, cat="unpaid", suite=r.random() < 0.10, unknown=False,
                 cs_remark="", buyer_message="", invoice=False, other_addr=False)
        tr = gen.trade(p, seq)
        tr["tid"] = "M" + tr["tid"]
        for o in tr["orders"]:
            o["oid"] = "M" + o["oid"]
        trades.append(tr)
    r.choices = orig_choices

    # the mix: line refunds need >= 2 sub-orders; the rest are shuffled into the other kinds
    n = len(trades)
    want = {"paid": round(n * 0.40), "line_refund": round(n * 0.20), "refund": round(n * 0.10)}
    want["remark"] = n - sum(want.values())
    idx = list(range(n))
    r.shuffle(idx)
    multi = [i for i in idx if len(trades[i]["orders"]) >= 2]
    if len(multi) < want["line_refund"]:
        sys.exit(f"gen_modify_trades: only {len(multi)} trades with 2+ sub-orders for {want['line_refund']} refunds")
    kind = {}
    for i in multi[:want["line_refund"]]:
        kind[i] = "line_refund"
    rest = [i for i in idx if i not in kind]
    for i in rest[:want["paid"]]:
        kind[i] = "paid"
    for i in rest[want["paid"]:want["paid"] + want["refund"]]:
        kind[i] = "refund"
    for k, i in enumerate(rest[want["paid"] + want["refund"]:]):
        kind[i] = ("cs_remark", "buyer_message", "address")[k % 3]

    os.makedirs(a.outdir, exist_ok=True)
    with open(os.path.join(a.outdir, "unpaid.jsonl"), "w") as fu, \
            open(os.path.join(a.outdir, "changes.jsonl"), "w") as fc, \
            open(os.path.join(a.outdir, "kinds.tsv"), "w") as fk:
        for i, t in enumerate(trades):
            fu.write(g.dumps(t) + "\n")
            c = copy.deepcopy(t)
            c["modified"] = bump(t, 10)
            k = kind[i]
            if k == "paid":
                c["trade_status"], c["pay_status"] = 30, 2
                c["pay_time"] = c["modified"]
                for o in c["orders"]:
                    o["status"] = 30
                    o["paid"] = str(g.money(Decimal(o["total_amount"]) - Decimal(o["share_discount"])
                                            + Decimal(o["share_post"])))
                c["paid"] = c["receivable"]
            elif k == "line_refund":
                o = c["orders"][r.randrange(len(c["orders"]))]
                o["status"], o["refund_status"] = 80, 5
                c["refund_status"] = g.trade_refund_status(c["orders"])
            elif k == "refund":
                c["trade_status"] = 80
                for o in c["orders"]:
                    o["status"], o["refund_status"] = 80, 5
                c["refund_status"] = g.trade_refund_status(c["orders"])
            elif k == "cs_remark":
                c["cs_remark"] = r.choice(g.CS_REMARKS)
            elif k == "buyer_message":
                c["buyer_message"] = r.choice(g.BUYER_MESSAGES)
            else:
                c["receiver_address"] = f"{c['receiver_address']}（改{r.randint(1, 99)}号门）"
            fc.write(g.dumps(c) + "\n")
            fk.write(f"{t['tid']}\t{k}\n")


if __name__ == "__main__":
    main()
