#!/usr/bin/env python3
"""gen_raw_trades.py -- writes the sample raw trades of data/sample/ (deterministic, standard library only).

Outputs (next to this script unless --out is given):
  raw_trades.jsonl          300 valid raw trades, one JSON object per line
  raw_trades_changed.jsonl  20 of them again, each changed in one or two aspects (change detection)
  raw_trades_invalid.jsonl  10 lines to refuse, one defect each (see INVALID_CASES): 9 the publisher
                            refuses, 1 (unknown shop) only trade-submit can tell, so it becomes a dead letter

The platform-goods listing below (SHOPS, GOODS, SPECS, SUITES, LISTINGS) is the same catalogue that
data/sample/catalogue.sql loads; the two must agree (docs/schema.md, "Sample data").

Usage: gen_raw_trades.py [--out DIR] [--check]
  --check  only validate the three files already in DIR (exit 1 on any problem)
"""
import argparse
import copy
import datetime as dt
import json
import os
import random
import re
import sys
from decimal import ROUND_HALF_UP, Decimal

SEED = 20261121
N_TRADES = 300
D0 = Decimal("0.00")

# ---------------------------------------------------------------- catalogue (mirrors catalogue.sql)
# shop_id: (platform_id, shop_no, platform code, price factor, guarantee_mode, free-post threshold)
SHOPS = {
    1: (1, "tb-flagship", "TB", Decimal("1.00"), 1, Decimal("99")),
    2: (2, "jd-store", "JD", Decimal("1.00"), 2, Decimal("99")),
    3: (3, "pdd-outlet", "PDD", Decimal("0.90"), 2, Decimal("0")),  # PDD: always free post
}
# goods_id: (goods_no, system goods name)
GOODS = {
    1: ("G-TEA-001", "西湖龙井"), 2: ("G-TEA-002", "安溪铁观音"), 3: ("G-TEA-003", "云南普洱熟茶"),
    4: ("G-TEA-004", "福鼎白毫银针"), 5: ("G-CUP-001", "青花瓷品茗杯"), 6: ("G-CUP-002", "宜兴紫砂壶"),
    7: ("G-SNK-001", "临安手剥山核桃"), 8: ("G-SNK-002", "内蒙古风干牛肉干"), 9: ("G-HON-001", "秦岭土蜂蜜"),
    10: ("G-RIC-001", "五常稻花香大米"), 11: ("G-OIL-001", "江西山茶油"), 12: ("G-APP-001", "迷你电饭煲"),
    13: ("G-TBL-001", "实木功夫茶桌"), 14: ("G-GFT-001", "茶叶礼品袋"), 15: ("G-OLD-001", "旧款竹茶盘"),
}
# spec_id: (goods_id, k (k-th spec of the goods), spec_no, spec_name, price)
SPECS = {
    1: (1, 1, "SKU-TEA-001", "250g罐装", "128.00"), 2: (1, 2, "SKU-TEA-002", "500g礼盒", "238.00"),
    3: (2, 1, "SKU-TEA-003", "250g袋装", "88.00"), 4: (3, 1, "SKU-TEA-004", "357g茶饼", "158.00"),
    5: (4, 1, "SKU-TEA-005", "100g铁盒", "268.00"), 6: (5, 1, "SKU-CUP-001", "单只装", "39.00"),
    7: (6, 1, "SKU-CUP-002", "200ml西施壶", "368.00"), 8: (7, 1, "SKU-SNK-001", "500g罐装", "69.00"),
    9: (8, 1, "SKU-SNK-002", "200g原味", "49.00"), 10: (8, 2, "SKU-SNK-003", "400g香辣", "89.00"),
    11: (9, 1, "SKU-HON-001", "500g瓶装", "79.00"), 12: (10, 1, "SKU-RIC-001", "5kg袋装", "99.00"),
    13: (11, 1, "SKU-OIL-001", "1L瓶装", "138.00"), 14: (12, 1, "SKU-APP-001", "1.6L白色", "199.00"),
    15: (13, 1, "SKU-TBL-001", "1.2米胡桃木", "1880.00"), 16: (14, 1, "SKU-GFT-001", "中号手提袋", "0.00"),
    17: (15, 1, "SKU-OLD-001", "40cm竹茶盘", "59.00"),
}
# suite_id: (suite_no, platform title, price)
SUITES = {
    1: ("SUITE-TEA-GIFT", "龙井品茗礼盒 2罐龙井+2只青花杯 送礼袋", "298.00"),
    2: ("SUITE-SNK-MIX", "坚果肉干零食组合 山核桃+牛肉干2袋", "149.00"),
    3: ("SUITE-TEA-SET", "紫砂品茗套装 西施壶+铁观音+普洱", "568.00"),
    4: ("SUITE-OLD-SET", "竹茶盘套装 含铁观音", "139.00"),
}
# platform titles per goods_id (the platform goods name differs from the system name)
TITLES = {
    1: "明前特级西湖龙井茶叶 2026新茶", 2: "安溪铁观音浓香型 乌龙茶", 3: "云南普洱熟茶饼 勐海古树",
    4: "【预售】福鼎白毫银针 2026头采白茶", 5: "景德镇青花瓷品茗杯 手绘主人杯", 6: "宜兴原矿紫砂壶 西施壶",
    7: "临安手剥山核桃 奶油味坚果", 8: "内蒙古风干牛肉干 手撕零食", 9: "秦岭土蜂蜜 农家自产百花蜜",
    10: "五常稻花香大米 东北新米", 11: "江西赣南山茶油 冷榨茶籽油", 12: "迷你电饭煲 1-2人小型家用",
    13: "实木功夫茶桌 胡桃木茶台", 14: "茶叶礼品袋 手提袋",
}
# which system goods / suites each shop lists; every listed spec of a listed goods is on the platform
LISTINGS = {
    1: {"goods": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], "suites": [1, 2, 3, 4]},
    2: {"goods": [1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12], "suites": [1, 3]},
    3: {"goods": [1, 2, 3, 7, 8, 9, 10, 11], "suites": [2]},
}
# a platform goods row that exists in api_goods_spec but matches nothing (match_target_type 0)
UNMATCHED = {1: ("TB-G1099", "TB-S1099-1", "G-PRE-099", "SKU-PRE-099", "2027明前龙井 新品茶礼", "礼盒装", "199.00"),
             2: ("JD-G2099", "JD-S2099-1", "G-PRE-099", "SKU-PRE-099", "2027明前龙井 新品茶礼", "礼盒装", "199.00"),
             3: ("PDD-G3099", "PDD-S3099-1", "G-PRE-099", "SKU-PRE-099", "2027明前龙井 新品茶礼", "礼盒装", "179.00")}
# platform category per goods_id (TB and JD fill cid, PDD leaves it empty)
CIDS = {1: {g: c for c, gs in {"121426": [1, 2, 3, 4], "50016": [5, 6], "50008": [7, 8, 9], "50050": [10, 11],
                               "50012": [12], "50020": [13], "50099": [14]}.items() for g in gs},
        2: {g: c for c, gs in {"1320-1585": [1, 2, 3], "1320-1586": [5, 6], "1320-1583": [7, 8, 9],
                               "1320-1584": [10, 11], "737-752": [12]}.items() for g in gs},
        3: {}}


def platform_goods(shop_id):
    """Platform goods of a shop: list of dicts (goods_id, spec_id, goods_no, spec_no, goods_name, spec_name,
    price, cid, kind 'spec'|'suite', target id). Ids: <P>-G<base+goods_id>, <P>-S<base+goods_id>-<k>."""
    platform_id, _, code, factor, _, _ = SHOPS[shop_id]
    base = {1: 1000, 2: 2000, 3: 3000}[platform_id]
    out = []
    for gid in LISTINGS[shop_id]["goods"]:
        for sid, (g, k, spec_no, spec_name, price) in sorted(SPECS.items()):
            if g != gid:
                continue
            out.append(dict(goods_id=f"{code}-G{base + gid}", spec_id=f"{code}-S{base + gid}-{k}",
                            goods_no=GOODS[gid][0], spec_no=spec_no, goods_name=TITLES[gid], spec_name=spec_name,
                            price=money(Decimal(price) * factor), cid=CIDS[shop_id].get(gid, ""), kind="spec",
                            target=sid))
    for su in LISTINGS[shop_id]["suites"]:
        suite_no, title, price = SUITES[su]
        out.append(dict(goods_id=f"{code}-G{base + 100 + su}", spec_id=f"{code}-S{base + 100 + su}-1",
                        goods_no=suite_no, spec_no=suite_no, goods_name=title, spec_name="套装",
                        price=money(Decimal(price) * factor), cid="", kind="suite", target=su))
    return out


# ---------------------------------------------------------------- helpers
def money(d):
    return Decimal(d).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def fmt_t(t):
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def apportion(total, weights):
    """Split total (2 decimals) by weights; the last share of a nonzero weight takes the rounding remainder (a line
    of weight 0, a free gift, gets nothing: a remainder there would make its amount negative)."""
    total = money(total)
    wsum = sum(weights)
    if total == 0 or not weights:
        return [D0 for _ in weights]
    if wsum == 0:
        weights, wsum = [Decimal(1)] * len(weights), Decimal(len(weights))
    last = max(i for i, w in enumerate(weights) if w != 0)
    shares, acc = [], D0
    for i, w in enumerate(weights):
        s = money(total * w / wsum) if i != last else D0
        shares.append(s)
        acc += s
    shares[last] = total - acc
    return shares


AREAS = [  # province, city, district, zip, street, weight
    ("上海", "上海市", "浦东新区", "200120", "世纪大道", 8), ("上海", "上海市", "徐汇区", "200030", "漕溪北路", 5),
    ("江苏省", "南京市", "鼓楼区", "210008", "中山北路", 5), ("江苏省", "苏州市", "姑苏区", "215000", "人民路", 5),
    ("浙江省", "杭州市", "西湖区", "310013", "文三路", 7), ("浙江省", "宁波市", "鄞州区", "315100", "天童南路", 4),
    ("安徽省", "合肥市", "蜀山区", "230031", "长江西路", 3), ("江西省", "南昌市", "东湖区", "330006", "八一大道", 2),
    ("广东省", "广州市", "天河区", "510620", "天河路", 7), ("广东省", "深圳市", "南山区", "518057", "科技园南路", 7),
    ("福建省", "厦门市", "思明区", "361001", "中山路", 3), ("广西壮族自治区", "南宁市", "青秀区", "530022", "民族大道", 2),
    ("海南省", "海口市", "龙华区", "570105", "滨海大道", 1), ("湖南省", "长沙市", "岳麓区", "410013", "麓山南路", 3),
    ("云南省", "昆明市", "五华区", "650021", "东风西路", 2), ("北京", "北京市", "朝阳区", "100020", "建国路", 7),
    ("北京", "北京市", "海淀区", "100080", "中关村大街", 5), ("天津", "天津市", "和平区", "300041", "南京路", 3),
    ("河北省", "石家庄市", "长安区", "050011", "中山东路", 2), ("山东省", "青岛市", "市南区", "266001", "香港中路", 4),
    ("辽宁省", "沈阳市", "和平区", "110001", "太原北街", 2), ("黑龙江省", "哈尔滨市", "南岗区", "150001", "西大直街", 2),
    ("河南省", "郑州市", "金水区", "450003", "花园路", 3), ("内蒙古自治区", "呼和浩特市", "新城区", "010050", "新华大街", 1),
    ("陕西省", "西安市", "雁塔区", "710061", "小寨东路", 3), ("四川省", "成都市", "武侯区", "610041", "人民南路", 5),
    ("重庆", "重庆市", "渝中区", "400010", "民族路", 3), ("湖北省", "武汉市", "洪山区", "430070", "珞喻路", 4),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "830002", "解放北路", 1), ("西藏自治区", "拉萨市", "城关区", "850000", "北京中路", 1),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐"
GIVEN = ["小明", "丽", "伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超",
         "霞", "平", "刚", "晓东", "雪梅", "志强", "海燕", "思远", "子涵", "雨桐", "浩然"]
NICK_A = ["爱喝茶的", "快乐的", "阳光", "茶香", "清风", "明月", "星河", "晨曦", "一叶", "悠然", "小", "大"]
NICK_B = ["小王", "阿强", "猫咪", "兔子", "丸子", "大熊", "橙子", "柚子", "鱼儿", "可乐", "米粒", "豆豆", "阿宝", "团团"]
CS_REMARKS = ["顺丰发货", "业务员:李娜;顺丰发货", "客户要求北京仓发货", "暂不发货，等客户通知", "送礼物，发票随货",
              "加急", "预售，月底统一发货", "已核对地址", "业务员:王强;", "发顺丰，客户补了运费"]
BUYER_MESSAGES = ["送礼物", "请尽快发货", "不要放快递柜，谢谢", "顺丰发货可以吗", "帮忙包装好一点，送人的",
                  "周末不在家，工作日送", "要发票", "包装要结实"]
COMPANIES = ["上海云杉信息科技有限公司", "杭州青禾贸易有限公司", "北京知行文化传媒有限公司", "广州南粤餐饮管理有限公司"]

KEYS = ["platform_id", "shop_no", "tid", "trade_status", "pay_status", "refund_status", "delivery_term", "trade_time",
        "pay_time", "modified", "buyer_nick", "receiver_name", "receiver_mobile", "receiver_telno",
        "receiver_province", "receiver_city", "receiver_district", "receiver_address", "receiver_zip",
        "warehouse_no", "cs_remark", "buyer_message", "invoice_type", "invoice_title", "invoice_content",
        "goods_count", "goods_type_count", "post_amount", "discount", "receivable", "paid", "cod_amount",
        "trade_mask", "is_external", "is_sealed", "wms_type", "orders"]
ORDER_KEYS = ["oid", "status", "refund_status", "goods_id", "spec_id", "goods_no", "spec_no", "goods_name",
              "spec_name", "cid", "num", "price", "adjust", "discount", "share_discount", "total_amount", "paid",
              "share_post", "bind_oid", "guarantee_mode"]


# ---------------------------------------------------------------- validation (the publisher's rules, as we read them)
MONEY_RE = re.compile(r"^-?\d{1,15}(\.\d{1,4})?$")
TRADE_MONEY = ["post_amount", "discount", "receivable", "paid", "cod_amount"]
ORDER_MONEY = ["price", "adjust", "discount", "share_discount", "total_amount", "paid", "share_post"]
TRADE_INT = ["platform_id", "trade_status", "pay_status", "refund_status", "delivery_term", "invoice_type",
             "goods_count", "goods_type_count", "trade_mask", "is_external", "is_sealed", "wms_type"]
ORDER_INT = ["status", "refund_status", "num", "guarantee_mode"]
# byte limits (common/of_rawtrade.h: ids 64, names/address 255, remarks 1024, zip 16)
STR_MAX = {**{k: 64 for k in ("shop_no", "tid", "receiver_mobile", "receiver_telno", "receiver_province",
                              "receiver_city", "receiver_district", "warehouse_no")},
           **{k: 255 for k in ("buyer_nick", "receiver_name", "receiver_address", "invoice_title")},
           **{k: 1024 for k in ("cs_remark", "buyer_message", "invoice_content")}, "receiver_zip": 16}
ORDER_STR_MAX = {**{k: 64 for k in ("oid", "goods_id", "spec_id", "goods_no", "spec_no", "cid", "bind_oid")},
                 **{k: 255 for k in ("goods_name", "spec_name")}}


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _time_ok(s, allow_empty):
    if s == "":
        return allow_empty
    if not isinstance(s, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", s):
        return False
    try:
        dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
        return True
    except ValueError:
        return False


def validate_line(line):
    """Return a list of problems of one JSONL line (empty = valid)."""
    try:
        t = json.loads(line)
    except ValueError as e:
        return [f"malformed JSON: {e}"]
    if not isinstance(t, dict):
        return ["not a JSON object"]
    p = []
    for k in t:
        if k not in KEYS:
            p.append(f"unknown key {k}")
    for k in KEYS:
        if k not in t:
            p.append(f"missing key {k}")
    for k in TRADE_INT:
        if k in t and not _is_int(t[k]):
            p.append(f"{k} not an integer")
    for k in TRADE_MONEY:
        if k in t and not (isinstance(t[k], str) and MONEY_RE.match(t[k])):
            p.append(f"{k} not a decimal string with <= 4 decimals")
    for k in KEYS:
        if k in t and k not in TRADE_INT and k not in TRADE_MONEY and k != "orders" and not isinstance(t[k], str):
            p.append(f"{k} not a string")
    if isinstance(t.get("tid"), str) and not t["tid"]:
        p.append("empty tid")
    if _is_int(t.get("trade_status")) and t["trade_status"] not in (10, 20, 30, 40, 50, 60, 70, 80, 90):
        p.append("trade_status out of range")
    if _is_int(t.get("pay_status")) and t["pay_status"] not in (0, 1, 2):
        p.append("pay_status out of range")
    if _is_int(t.get("refund_status")) and not 0 <= t["refund_status"] <= 3:
        p.append("refund_status out of range (trade level: trade-rules §1.6, 0..3)")
    for k, n in STR_MAX.items():
        if isinstance(t.get(k), str) and len(t[k].encode("utf-8")) > n:
            p.append(f"{k} longer than {n} bytes")
    if _is_int(t.get("delivery_term")) and t["delivery_term"] not in (1, 2):
        p.append("delivery_term out of range")
    if "trade_time" in t and not _time_ok(t["trade_time"], False):
        p.append("trade_time bad format")
    for k in ("pay_time", "modified"):
        if k in t and not _time_ok(t[k], True):
            p.append(f"{k} bad format")
    orders = t.get("orders")
    if not isinstance(orders, list) or not orders:
        p.append("orders missing or empty")
        return p
    oids = set()
    for i, o in enumerate(orders):
        if not isinstance(o, dict):
            p.append(f"orders[{i}] not an object")
            continue
        for k in o:
            if k not in ORDER_KEYS:
                p.append(f"orders[{i}] unknown key {k}")
        for k in ORDER_KEYS:
            if k not in o:
                p.append(f"orders[{i}] missing key {k}")
        for k in ORDER_INT:
            if k in o and not _is_int(o[k]):
                p.append(f"orders[{i}].{k} not an integer")
        for k in ORDER_MONEY:
            if k in o and not (isinstance(o[k], str) and MONEY_RE.match(o[k])):
                p.append(f"orders[{i}].{k} not a decimal string with <= 4 decimals")
        for k in ORDER_KEYS:
            if k in o and k not in ORDER_INT and k not in ORDER_MONEY and not isinstance(o[k], str):
                p.append(f"orders[{i}].{k} not a string")
            elif isinstance(o.get(k), str) and k in ORDER_STR_MAX and len(o[k].encode("utf-8")) > ORDER_STR_MAX[k]:
                p.append(f"orders[{i}].{k} longer than {ORDER_STR_MAX[k]} bytes")
        if _is_int(o.get("num")) and o["num"] < 0:
            p.append(f"orders[{i}].num negative")
        if _is_int(o.get("status")) and o["status"] not in (10, 20, 30, 40, 50, 60, 70, 80, 90):
            p.append(f"orders[{i}].status out of range")
        if _is_int(o.get("refund_status")) and not 0 <= o["refund_status"] <= 6:
            p.append(f"orders[{i}].refund_status out of range")
        if isinstance(o.get("oid"), str):
            if not o["oid"]:
                p.append(f"orders[{i}].oid empty")
            if o["oid"] in oids:
                p.append(f"orders[{i}].oid duplicate")
            oids.add(o["oid"])
    return p


# ---------------------------------------------------------------- generation
class Gen:
    def __init__(self):
        self.r = random.Random(SEED)
        self.pg = {s: platform_goods(s) for s in SHOPS}

    def person(self):
        r = self.r
        return r.choice(SURNAMES) + r.choice(GIVEN)

    def mobile(self):
        r = self.r
        return "1" + r.choice(["38", "39", "58", "59", "86", "87", "35", "36", "52", "88"]) + "".join(
            r.choice("0123456789") for _ in range(8))

    def address(self):
        r = self.r
        a = r.choices(AREAS, weights=[x[5] for x in AREAS])[0]
        detail = f"{a[4]}{r.randint(1, 999)}号{r.randint(1, 30)}栋{r.randint(1, 28)}{r.randint(0, 9)}{r.randint(1, 9)}室"
        return dict(receiver_province=a[0], receiver_city=a[1], receiver_district=a[2], receiver_address=detail,
                    receiver_zip=a[3])

    def nick(self, shop_id, used):
        r = self.r
        while True:
            if shop_id == 1:
                n = r.choice(NICK_A) + r.choice(NICK_B) + (str(r.randint(1, 2026)) if r.random() < 0.6 else "")
            elif shop_id == 2:
                n = "jd_" + "".join(r.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
            else:
                n = r.choice(["拼友", "pdd_", "多多"]) + str(r.randint(100000, 99999999))
            if n not in used:
                used.add(n)
                return n

    def buyers(self):
        r = self.r
        used, buyers = set(), []
        for i in range(118):
            shop_id = r.choices([1, 2, 3], weights=[45, 30, 25])[0]
            name = self.person()
            b = dict(shop_id=shop_id, nick=self.nick(shop_id, used), name=name, mobile=self.mobile(),
                     telno="", addr=self.address())
            if r.random() < 0.08:
                b["telno"] = f"0{r.choice(['21', '10', '20', '571', '755'])}-{r.randint(5000000, 89999999)}"
            buyers.append(b)
        # two anonymous buyers (empty nick: SUB-CUST-01 fallbacks MOB+mobile and TEL+telno)
        buyers.append(dict(shop_id=3, nick="", name=self.person(), mobile=self.mobile(), telno="",
                           addr=self.address()))
        buyers.append(dict(shop_id=2, nick="", name=self.person(), mobile="", telno="021-64870000",
                           addr=self.address()))
        return buyers

    def plan(self):
        """Decide every trade's buyer, time and features; return a list of plan dicts."""
        r = self.r
        buyers = self.buyers()
        counts = [1] * len(buyers)
        named = list(range(118))
        extra = N_TRADES - len(buyers)
        while extra > 0:  # 1..5 trades per named buyer; anonymous buyers keep 1
            i = r.choice(named)
            if counts[i] < 5:
                counts[i] += 1
                extra -= 1
        start = dt.datetime(2026, 11, 20, 0, 0, 0)
        plans = []
        for bi, b in enumerate(buyers):
            t = start + dt.timedelta(seconds=r.randint(7 * 3600, 40 * 3600))
            for j in range(counts[bi]):
                if j > 0:
                    if r.random() < 0.6:
                        t = t + dt.timedelta(minutes=r.randint(3, 45))  # close together: merge / wait-unpaid cases
                    else:
                        t = t + dt.timedelta(minutes=r.randint(60, 600))
                plans.append(dict(buyer=b, trade_time=t.replace(microsecond=0)))
        # categories with exact counts
        cats = (["unpaid"] * 60 + ["paid"] * 150 + ["cod"] * 45 + ["balance"] * 12 + ["shipped"] * 15 +
                ["closed"] * 9 + ["refunded"] * 9)
        r.shuffle(cats)
        for p, c in zip(plans, cats):
            p["cat"] = c
        idx = list(range(N_TRADES))
        r.shuffle(idx)
        pos = 0

        def take(n, pred=lambda p: True):
            nonlocal pos
            out = []
            for i in idx:
                if len(out) == n:
                    break
                p = plans[i]
                if pred(p) and not p.get("special"):
                    out.append(p)
            for p in out:
                p["special"] = True
            return out

        for k, p in enumerate(take(15, lambda p: p["cat"] == "paid")):
            p["refund_line"] = 1 if k == 14 else (2 if k % 2 == 0 else 5)  # line refund_status (§1.5)
        for p in take(30):
            p["suite"] = True
        for p in take(9):
            p["unknown"] = True
        for k, p in enumerate(take(9)):
            p["mismatch"] = "count" if k % 2 == 0 else "types"
        for p in take(2, lambda p: p["cat"] in ("paid", "unpaid")):
            p["num_zero"] = True
        for p in take(2, lambda p: p["cat"] == "paid"):
            p["external"] = True
        for k, p in enumerate(take(8, lambda p: p["cat"] in ("paid", "cod"))):
            p["warehouse_no"] = ["SH-01", "BJ-01", "GZ-01", "WMS-CN-01"][k % 4]
        # remarks, messages, invoices are independent of the defects above
        for p in plans:
            p["cs_remark"] = r.choice(CS_REMARKS) if r.random() < 0.15 else ""
            p["buyer_message"] = r.choice(BUYER_MESSAGES) if r.random() < 0.12 else ""
            p["invoice"] = r.random() < 0.10
            p["other_addr"] = r.random() < 0.10
        plans.sort(key=lambda p: p["trade_time"])
        return plans

    def lines(self, p):
        r = self.r
        shop_id = p["buyer"]["shop_id"]
        pg = self.pg[shop_id]
        specs = [g for g in pg if g["kind"] == "spec"]
        suites = [g for g in pg if g["kind"] == "suite" and g["target"] != 4]  # suite 4 (deleted part) only for tests
        n = r.choices([1, 2, 3, 4], weights=[55, 30, 12, 3])[0]
        if p.get("refund_line") or p.get("num_zero"):
            n = max(n, 2)
        chosen = r.sample(specs, n)
        if p.get("suite"):
            chosen[0] = r.choice(suites)
        if p.get("unknown"):
            pl, _, code, factor, _, _ = SHOPS[shop_id]
            if r.random() < 0.34:
                u = UNMATCHED[shop_id]
                g = dict(goods_id=u[0], spec_id=u[1], goods_no=u[2], spec_no=u[3], goods_name=u[4], spec_name=u[5],
                         price=money(u[6]), cid="", kind="unknown", target=0)
            else:
                k = r.randint(901, 999)
                base = {1: 1000, 2: 2000, 3: 3000}[pl] * 10
                g = dict(goods_id=f"{code}-G{base + k}", spec_id=f"{code}-S{base + k}-1", goods_no=f"G-NEW-{k}",
                         spec_no=f"SKU-NEW-{k}", goods_name="新品试销 山野红茶", spec_name="试饮装",
                         price=money(Decimal("36.00") * factor), cid="", kind="unknown", target=0)
            chosen[-1] = g
        out = []
        for g in chosen:
            num = 1 if g["target"] == 15 and g["kind"] == "spec" else r.choices([1, 2, 3, 4, 5],
                                                                                 weights=[60, 25, 10, 3, 2])[0]
            disc = D0
            adjust = D0
            if r.random() < 0.10 and g["price"] * num > 50:
                disc = money(r.choice([Decimal(5), Decimal(10)]))
            if r.random() < 0.05 and g["price"] * num - disc > 20:
                adjust = Decimal("-2.00")
            out.append(dict(g=g, num=num, discount=disc, adjust=adjust))
        if p.get("num_zero"):
            out[-1]["num"] = 0
            out[-1]["discount"] = D0
            out[-1]["adjust"] = D0
        return out

    def trade(self, p, seq_by_key):
        r = self.r
        b = p["buyer"]
        shop_id = b["shop_id"]
        platform_id, shop_no, code, _, guarantee, free_post = SHOPS[shop_id]
        tt = p["trade_time"]
        key = (code, tt.date())
        seq_by_key[key] = seq_by_key.get(key, 0) + 1
        tid = f"{code}{tt.strftime('%Y%m%d')}{seq_by_key[key]:05d}"
        cat = p["cat"]
        ls = self.lines(p)

        for l in ls:
            l["total"] = money(l["g"]["price"] * l["num"] - l["discount"] + l["adjust"])
        subtotal = sum(l["total"] for l in ls)
        coupon = D0
        if r.random() < 0.15 and subtotal >= 100:
            coupon = Decimal("20.00") if subtotal >= 300 else Decimal("10.00")
        for l, s in zip(ls, apportion(coupon, [l["total"] for l in ls])):
            l["share_discount"] = s
        post = D0 if (free_post == 0 or subtotal >= free_post or subtotal == 0) else Decimal("10.00")
        for l, s in zip(ls, apportion(post, [l["total"] for l in ls])):
            l["share_post"] = s
        for l in ls:
            l["due"] = l["total"] - l["share_discount"] + l["share_post"]
        receivable = sum(l["due"] for l in ls)
        discount = sum(l["discount"] - l["adjust"] + l["share_discount"] for l in ls)

        status = {"unpaid": 10, "paid": 30, "cod": 30, "balance": 20, "shipped": 50, "closed": 90,
                  "refunded": 80}[cat]
        pay_status = {"unpaid": 0, "paid": 2, "cod": 0, "balance": 1, "shipped": 2, "closed": 0,
                      "refunded": 2}[cat]
        delivery_term = 2 if cat == "cod" else 1
        pay_time = None
        modified = tt
        if cat in ("paid", "balance", "shipped", "refunded"):
            pay_time = tt + dt.timedelta(seconds=r.randint(30, 1200))
            modified = pay_time
        if cat == "shipped":
            modified = pay_time + dt.timedelta(hours=r.randint(6, 20))
        if cat == "refunded":
            modified = pay_time + dt.timedelta(hours=r.randint(2, 10))
        if cat == "closed":
            modified = tt + dt.timedelta(minutes=r.randint(30, 90))
        if cat in ("paid", "shipped", "refunded"):
            for l in ls:
                l["paid"] = l["due"]
        elif cat == "balance":
            for l, s in zip(ls, apportion(receivable * Decimal("0.3"), [l["due"] for l in ls])):
                l["paid"] = s
        else:
            for l in ls:
                l["paid"] = D0
        paid = sum(l["paid"] for l in ls)
        cod_amount = receivable if cat == "cod" else D0

        orders = []
        for i, l in enumerate(ls, 1):
            g = l["g"]
            rs = 0
            st = status
            if cat == "refunded":
                rs = 5
            if p.get("refund_line") and i == 1:
                rs = p["refund_line"]
                st = 80 if rs == 5 else 30
                modified = pay_time + dt.timedelta(hours=r.randint(1, 5))
            orders.append(dict(oid=f"{tid}-{i}", status=st, refund_status=rs, goods_id=g["goods_id"],
                               spec_id=g["spec_id"], goods_no=g["goods_no"], spec_no=g["spec_no"],
                               goods_name=g["goods_name"], spec_name=g["spec_name"], cid=g["cid"], num=l["num"],
                               price=str(money(g["price"])), adjust=str(l["adjust"]), discount=str(l["discount"]),
                               share_discount=str(l["share_discount"]), total_amount=str(l["total"]),
                               paid=str(l["paid"]), share_post=str(l["share_post"]), bind_oid="",
                               guarantee_mode=guarantee))
        trade_refund = trade_refund_status(orders)
        goods_count = sum(o["num"] for o in orders)
        goods_type_count = len(orders)
        if p.get("mismatch") == "count":
            goods_count += 1
        elif p.get("mismatch") == "types":
            goods_type_count += 1

        addr = b["addr"] if not p["other_addr"] else self.address()
        inv = p["invoice"]
        t = dict(platform_id=platform_id, shop_no=shop_no, tid=tid, trade_status=status, pay_status=pay_status,
                 refund_status=trade_refund, delivery_term=delivery_term, trade_time=fmt_t(tt),
                 pay_time=fmt_t(pay_time), modified=fmt_t(modified), buyer_nick=b["nick"],
                 receiver_name=b["name"], receiver_mobile=b["mobile"], receiver_telno=b["telno"], **addr,
                 warehouse_no=p.get("warehouse_no", ""), cs_remark=p["cs_remark"], buyer_message=p["buyer_message"],
                 invoice_type=1 if inv else 0, invoice_title=r.choice(COMPANIES) if inv else "",
                 invoice_content=r.choice(["明细", "茶叶", "食品"]) if inv else "", goods_count=goods_count,
                 goods_type_count=goods_type_count, post_amount=str(post), discount=str(discount),
                 receivable=str(receivable), paid=str(paid), cod_amount=str(cod_amount), trade_mask=0,
                 is_external=1 if p.get("external") else 0, is_sealed=0,
                 wms_type=1 if p.get("warehouse_no") == "WMS-CN-01" else 0, orders=orders)
        assert list(t) == KEYS, list(t)
        return t


def trade_refund_status(orders):
    """Trade-level refund status, trade-rules §1.6: 0 none, 1 申请退款 (only applications), 2 部分退款, 3 全部退款.
    A line counts as refunded when refund_status >= 3 (goods returning or money back), applied when 2."""
    rs = [o["refund_status"] for o in orders]
    if all(x >= 3 for x in rs):
        return 3
    if any(x >= 3 for x in rs):
        return 2
    if any(x == 2 for x in rs):
        return 1
    return 0


def dumps(t):
    return json.dumps(t, ensure_ascii=False, separators=(",", ":"))


def bump(t, minutes):
    base = t["modified"] or t["trade_time"]
    m = dt.datetime.strptime(base, "%Y-%m-%d %H:%M:%S") + dt.timedelta(minutes=minutes)
    return fmt_t(m)


def make_changed(trades, r):
    """20 trades again, each changed in one or two aspects; returns (lines, descriptions)."""
    clean = [t for t in trades if t["is_external"] == 0 and t["goods_count"] == sum(o["num"] for o in t["orders"])
             and t["goods_type_count"] == len(t["orders"]) and all(o["num"] > 0 for o in t["orders"])
             and not any(o["spec_no"].startswith(("SKU-NEW", "SKU-PRE")) for o in t["orders"])]
    unpaid = [t for t in clean if t["trade_status"] == 10]
    paid = [t for t in clean if t["trade_status"] == 30 and t["delivery_term"] == 1 and t["refund_status"] == 0]
    cod = [t for t in clean if t["delivery_term"] == 2]
    picked = set()

    def pick(pool, n):
        out = []
        for t in pool:
            if t["tid"] not in picked and len(out) < n:
                picked.add(t["tid"])
                out.append(copy.deepcopy(t))
        return out

    out = []
    for k, t in enumerate(pick(unpaid, 6)):  # status 10 -> 30 with pay_time
        t["trade_status"], t["pay_status"] = 30, 2
        t["pay_time"] = bump(t, 5 + k)
        t["modified"] = t["pay_time"]
        for o in t["orders"]:
            o["status"] = 30
            o["paid"] = str(money(Decimal(o["total_amount"]) - Decimal(o["share_discount"]) + Decimal(o["share_post"])))
        t["paid"] = t["receivable"]
        what = "trade_status 10->30, pay_status 0->2, pay_time set"
        if k == 0:
            t["buyer_message"] = "付款了，请尽快发货"
            what += "; buyer_message changed"
        out.append((t, what))
    for k, t in enumerate(pick(paid, 4)):  # CS remark edit
        t["cs_remark"] = ["顺丰发货", "暂不发货，等客户通知", "业务员:李娜;改发北京仓", "送礼物，发票随货"][k]
        t["modified"] = bump(t, 60)
        out.append((t, "cs_remark changed"))
    for k, t in enumerate(pick(paid[10:] + cod, 3)):  # address edit
        t["receiver_address"] = t["receiver_address"] + "（改）"
        if k == 0:
            t["receiver_mobile"] = "13900001111"
            what = "receiver_address and receiver_mobile changed"
        else:
            what = "receiver_address changed"
        t["modified"] = bump(t, 30)
        out.append((t, what))
    for t in pick([t for t in paid if len(t["orders"]) >= 2], 4):  # sub-order refund 0 -> 2
        t["orders"][-1]["refund_status"] = 2
        t["refund_status"] = trade_refund_status(t["orders"])
        t["modified"] = bump(t, 120)
        out.append((t, f"sub-order {t['orders'][-1]['oid']} refund_status 0->2"))
    for t in pick(paid[20:], 3):  # newer modified only
        t["modified"] = bump(t, 15)
        out.append((t, "only a newer modified time (no content change)"))
    assert len(out) == 20
    return out


INVALID_CASES = [
    ("malformed JSON (line cut in the middle)", "malformed"),
    ("missing tid", "missing_tid"),
    ("negative num (-1) on a sub-order", "negative_num"),
    ("money with 5 decimals (price 59.00001)", "money5"),
    ("unknown key coupon_code", "unknown_key"),
    ("unknown shop (shop_no no-such-shop): refused by trade-submit, a dead letter", "unknown_shop"),
    ("bad time format (trade_time 2026/11/20 10:00:00)", "bad_time"),
    ("quantity as a string (num \"abc\")", "num_string"),
    ("trade_status -1", "status_neg"),
    ("sub-order without oid", "missing_oid"),
]


def make_invalid(base):
    out = []
    for k, (desc, kind) in enumerate(INVALID_CASES, 1):
        t = copy.deepcopy(base)
        t["tid"] = f"TB20261121{99900 + k}"
        for i, o in enumerate(t["orders"], 1):
            o["oid"] = f"{t['tid']}-{i}"
        if kind == "malformed":
            s = dumps(t)
            out.append((s[: len(s) // 2], desc))
            continue
        if kind == "missing_tid":
            del t["tid"]
        elif kind == "negative_num":
            t["orders"][0]["num"] = -1
        elif kind == "money5":
            t["orders"][0]["price"] = "59.00001"
        elif kind == "unknown_key":
            t["coupon_code"] = "NOV-10"
        elif kind == "unknown_shop":
            t["shop_no"] = "no-such-shop"
        elif kind == "bad_time":
            t["trade_time"] = t["trade_time"].replace("-", "/")
        elif kind == "num_string":
            t["orders"][0]["num"] = "abc"
        elif kind == "status_neg":
            t["trade_status"] = -1
        elif kind == "missing_oid":
            del t["orders"][0]["oid"]
        out.append((dumps(t), desc))
    return out


def generate(outdir):
    g = Gen()
    plans = g.plan()
    seq = {}
    trades = [g.trade(p, seq) for p in plans]
    tids = [t["tid"] for t in trades]
    assert len(set(tids)) == len(tids) == N_TRADES
    with open(os.path.join(outdir, "raw_trades.jsonl"), "w", encoding="utf-8") as f:
        for t in trades:
            f.write(dumps(t) + "\n")
    changed = make_changed(trades, g.r)
    with open(os.path.join(outdir, "raw_trades_changed.jsonl"), "w", encoding="utf-8") as f:
        for t, _ in changed:
            f.write(dumps(t) + "\n")
    base = next(t for t in trades if t["trade_status"] == 30 and t["delivery_term"] == 1 and t["platform_id"] == 1
                and t["goods_count"] == sum(o["num"] for o in t["orders"]) and t["is_external"] == 0)
    with open(os.path.join(outdir, "raw_trades_invalid.jsonl"), "w", encoding="utf-8") as f:
        for line, _ in make_invalid(base):
            f.write(line + "\n")
    for t, what in changed:
        print(f"changed {t['tid']}: {what}")
    return check(outdir)


def check(outdir):
    """Validate the three files; print a summary; return 0 when all is as intended."""
    bad = 0
    with open(os.path.join(outdir, "raw_trades.jsonl"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    trades = []
    for n, line in enumerate(lines, 1):
        pr = validate_line(line)
        if pr:
            bad += 1
            print(f"raw_trades.jsonl:{n}: {pr}")
        else:
            trades.append(json.loads(line))
    tids = [t["tid"] for t in trades]
    if len(lines) != N_TRADES or len(set(tids)) != len(tids):
        bad += 1
        print(f"raw_trades.jsonl: {len(lines)} lines, {len(set(tids))} distinct tids")
    by_tid = {t["tid"]: t for t in trades}
    with open(os.path.join(outdir, "raw_trades_changed.jsonl"), encoding="utf-8") as f:
        ch = f.read().splitlines()
    for n, line in enumerate(ch, 1):
        pr = validate_line(line)
        t = json.loads(line) if not pr else None
        if pr or t["tid"] not in by_tid or not t["modified"] > by_tid[t["tid"]]["modified"]:
            bad += 1
            print(f"raw_trades_changed.jsonl:{n}: {pr or 'not a newer version of a known tid'}")
    if len(ch) != 20:
        bad += 1
    with open(os.path.join(outdir, "raw_trades_invalid.jsonl"), encoding="utf-8") as f:
        inv = f.read().splitlines()
    for n, line in enumerate(inv, 1):
        pr = validate_line(line)
        if not pr and '"shop_no":"no-such-shop"' in line:
            print(f"invalid line {n}: valid in form; unknown shop, refused by trade-submit (dead letter)")
        elif not pr:
            bad += 1
            print(f"raw_trades_invalid.jsonl:{n}: accepted but must be rejected")
        else:
            print(f"invalid line {n}: rejected: {'; '.join(pr)}")
    if len(inv) != len(INVALID_CASES):
        bad += 1
    # summary of the mix
    cnt = lambda pred: sum(1 for t in trades if pred(t))
    suites = {v[0] for v in SUITES.values()}
    known = {v[2] for v in SPECS.values()} | suites
    print(f"trades {len(trades)}: unpaid {cnt(lambda t: t['trade_status'] == 10)}, "
          f"paid(30, PBS) {cnt(lambda t: t['trade_status'] == 30 and t['delivery_term'] == 1)}, "
          f"COD {cnt(lambda t: t['delivery_term'] == 2)}, balance(20) {cnt(lambda t: t['trade_status'] == 20)}, "
          f"shipped(50) {cnt(lambda t: t['trade_status'] == 50)}, refunded(80) {cnt(lambda t: t['trade_status'] == 80)}, "
          f"closed(90) {cnt(lambda t: t['trade_status'] == 90)}")
    print(f"  refund line in a 30 trade {cnt(lambda t: t['trade_status'] == 30 and any(o['refund_status'] for o in t['orders']))}, "
          f"suite {cnt(lambda t: any(o['spec_no'] in suites for o in t['orders']))}, "
          f"unknown goods {cnt(lambda t: any(o['spec_no'] not in known for o in t['orders']))}, "
          f"count mismatch {cnt(lambda t: t['goods_count'] != sum(o['num'] for o in t['orders']) or t['goods_type_count'] != len(t['orders']))}, "
          f"num 0 line {cnt(lambda t: any(o['num'] == 0 for o in t['orders']))}, "
          f"external {cnt(lambda t: t['is_external'])}, warehouse_no {cnt(lambda t: t['warehouse_no'] != '')}")
    nicks = {}
    for t in trades:
        nicks.setdefault((t["platform_id"], t["buyer_nick"]), []).append(t)
    print(f"  buyers {len(nicks)} (with 2+ trades {sum(1 for v in nicks.values() if len(v) > 1)}), "
          f"shops {sorted({t['shop_no'] for t in trades})}, provinces {len({t['receiver_province'] for t in trades})}, "
          f"cs_remark {cnt(lambda t: t['cs_remark'])}, buyer_message {cnt(lambda t: t['buyer_message'])}, "
          f"invoice {cnt(lambda t: t['invoice_type'])}")
    print(f"check: {'OK' if bad == 0 else f'{bad} problem(s)'}")
    return 0 if bad == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    sys.exit(check(a.out) if a.check else generate(a.out))


if __name__ == "__main__":
    main()
