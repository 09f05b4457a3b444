#!/usr/bin/env python3
"""Generate the synthetic example exports in examples/.

Everything here is made up. Company and person names are built from word lists,
e-mail addresses use only the reserved example.com / example.net / example.org
domains, phone numbers use reserved fictional ranges (555-01xx, 020 7946 0xxx,
02 5550 xxxx), and buyer ids are random. The same --seed and --customers always
give byte-identical files.

    python examples/generate.py                          # 120 B2B + 150 Shopify customers
    python examples/generate.py --seed 7 --customers 600 --out /tmp/examples

Writes <out>/alibaba/, <out>/shopify/ and <out>/edge/ (see examples/README.md).
Needs only numpy and xlsxwriter.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xlsxwriter

AS_OF = dt.date(2026, 10, 31)  # the latest date anywhere in the data (forecast dates aside)
LAST_MOMENT = dt.datetime(2026, 10, 31, 23, 59, 59)
HISTORY_START = dt.date(2024, 9, 1)
ORDERS_START = dt.date(2025, 1, 1)  # orders.xlsx holds the sheets 2025 and 2026 only
VISITS_START = dt.date(2026, 5, 1)  # the visitor export covers the last six months
WORKBOOK_CREATED = dt.datetime(2026, 11, 1, 8, 0, 0)  # fixed, so workbooks are byte-identical
HEADERS_DIR = Path("/work/shared/data/platform-headers")


# ----------------------------------------------------------------------------------------------
# randomness


class Rand:
    """Small conveniences over one numpy Generator (the only source of randomness)."""

    def __init__(self, seed: int, stream: int):
        self.g = np.random.default_rng([seed, stream])

    def chance(self, p: float) -> bool:
        return bool(self.g.random() < p)

    def int(self, lo: int, hi: int) -> int:  # inclusive
        return int(self.g.integers(lo, hi + 1))

    def uniform(self, lo: float, hi: float) -> float:
        return float(self.g.uniform(lo, hi))

    def pick(self, seq, weights=None):
        if weights is None:
            return seq[int(self.g.integers(len(seq)))]
        w = np.asarray(weights, dtype=float)
        return seq[int(self.g.choice(len(seq), p=w / w.sum()))]

    def sample(self, seq, k: int) -> list:
        idx = self.g.choice(len(seq), size=min(k, len(seq)), replace=False)
        return [seq[int(i)] for i in idx]

    def shuffle(self, seq) -> list:
        return [seq[int(i)] for i in self.g.permutation(len(seq))]

    def gamma_days(self, mean: float, shape: float = 4.0, floor: int = 7) -> int:
        return max(floor, int(round(self.g.gamma(shape, mean / shape))))

    def date(self, lo: dt.date, hi: dt.date) -> dt.date:
        return lo + dt.timedelta(days=self.int(0, (hi - lo).days))

    def moment(self, day: dt.date, first_hour: int = 0, last_hour: int = 23) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(self.int(first_hour, last_hour), self.int(0, 59), self.int(0, 59)))

    def later(self, t: dt.datetime, lo_min: int, hi_min: int, limit: dt.datetime) -> dt.datetime:
        """t plus lo..hi minutes (and some seconds), never after limit: the window shrinks instead of piling up at it."""
        room = int((limit - t).total_seconds() // 60) - 1
        if room < 1:
            return t
        hi = min(hi_min, room)
        return t + dt.timedelta(minutes=self.int(min(lo_min, hi), hi), seconds=self.int(0, 59) if hi < room else 0)

    def hex_id(self, n: int) -> str:
        return "".join("0123456789abcdef"[int(i)] for i in self.g.integers(0, 16, n))

    def digits(self, n: int) -> str:
        return "".join(str(int(i)) for i in self.g.integers(0, 10, n))


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def money(x: float) -> str:
    return f"{x:.2f}"


def iso(t: dt.datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S") if t else ""


def write_csv(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8", **kw) -> None:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, **kw)
        w.writerow(header)
        w.writerows(rows)


# ----------------------------------------------------------------------------------------------
# Set 1: a B2B seller of embroidered goods on Alibaba.com / AliExpress (Chinese headers)

# name: (weight, naming style, legal-form suffixes)
COUNTRIES = {
    "United States": (22, "en", ["LLC", "Inc.", "Co."]),
    "Germany": (9, "en", ["GmbH"]),
    "United Kingdom": (8, "en", ["Ltd"]),
    "France": (5, "fr", ["SARL"]),
    "Brazil": (6, "pt", ["Ltda."]),
    "Saudi Arabia": (5, "ar", ["Trading Est.", "Co."]),
    "Australia": (6, "en", ["Pty Ltd"]),
    "Spain": (5, "es", ["S.L."]),
    "Poland": (4, "en", ["Sp. z o.o."]),
    "Mexico": (5, "es", ["S.A. de C.V."]),
    "Canada": (6, "en", ["Inc.", "Ltd."]),
    "Netherlands": (4, "en", ["B.V."]),
    "Italy": (3, "en", ["S.r.l."]),
    "United Arab Emirates": (3, "ar", ["General Trading LLC", "FZE"]),
    "Chile": (2, "es", ["SpA"]),
    "Portugal": (2, "pt", ["Lda."]),
}
NAME_PARTS = {
    "en": (
        ["Nordic", "Atlas", "Blue Harbor", "Summit", "Maple Leaf", "Pioneer", "Evergreen", "Crown", "Silver Pine",
         "Redwood", "Northstar", "Lakeside", "Bright Path", "Oak & Thread", "Stitchline", "Union", "Keystone",
         "Granite", "Harbourside", "Copper Fox", "Westfield", "Iron Bridge", "Tidewater", "Highland", "Meridian"],
        ["Home Supplies", "Promo Goods", "Apparel", "Trading", "Merch", "Uniforms", "Outfitters", "Sportswear",
         "Gifts", "Textiles", "Badges", "Team Supply", "Craft Supply", "Workwear", "Scout Supply", "Brands"],
    ),
    "es": (
        ["Distribuidora", "Comercial", "Suministros", "Confecciones", "Bordados", "Textiles"],
        ["del Sol", "Andina", "Río Claro", "Costa Verde", "Los Pinos", "Santa Clara", "La Estrella", "Peñalba"],
    ),
    "pt": (
        ["Comércio", "Distribuidora", "Bordados", "Uniformes", "Confecções"],
        ["Estrela", "Boa Vista", "Vale Verde", "Nova Aurora", "São Bento", "Três Rios"],
    ),
    "fr": (
        ["Atelier", "Maison", "Brodeurs", "Comptoir"],
        ["du Nord", "Lumière", "de Provence", "Saint-Clair", "Bellevue", "des Écussons"],
    ),
    "ar": (
        ["Al Noor", "Al Fajr", "Al Waha", "Dar Al Khaleej", "Al Safwa", "Bayt Al Tiraz", "Al Rayan", "Al Manara"],
        ["Uniforms", "Textiles", "Embroidery", "Promotions", "Sports"],
    ),
}
QUALIFIERS = ["International", "Global", "Group", "Direct", "Wholesale", "Imports", "Partners", "Express"]
FIRST_NAMES = ["Emma", "Lucas", "Sofia", "Noah", "Mia", "Liam", "Chloé", "Mateo", "Lucía", "Jonas", "Ana", "Omar",
               "Fatima", "Ahmed", "Olivia", "Ethan", "Hannah", "Leon", "Zofia", "Jakub", "Isabela", "Gabriel",
               "Camille", "Hugo", "Aisha", "Yusuf", "Grace", "Jack", "Amelia", "Tomás", "Julia", "Felix",
               "Valentina", "Diego", "Nora", "Elias", "Maya", "Samuel", "Léa", "Marta"]
LAST_INITIALS = list("ABCDEFGHJKLMNOPRSTVWZ")

COLORS = [("Bright Red", "BR"), ("Navy Blue", "NB"), ("Black", "BK"), ("White", "WH"), ("Gold", "GD"),
          ("Royal Blue", "RB"), ("Forest Green", "FG"), ("Neon Yellow", "NY"), ("Hot Pink", "HP"),
          ("Orange", "OR"), ("Olive", "OL"), ("Sky Blue", "SB")]


@dataclass(frozen=True)
class Product:
    name: str
    code: str
    category: str
    price: float  # wholesale base price in USD at 200+ units


def alibaba_catalog() -> list[Product]:
    items = []
    for size in (2, 3, 4):
        for backing, bcode in (("Iron-on", "IR"), ("Sew-on", "SW"), ("Hook-and-Loop", "HL")):
            for color, ccode in COLORS:
                price = 0.35 + 0.18 * size + (0.12 if bcode == "HL" else 0)
                items.append(Product(f"Custom Embroidered Patch {size}in {backing} {color}",
                                     f"EP{size}-{bcode}-{ccode}", "刺绣徽章", price))
    for motif, mcode in (("Flower", "FL"), ("Star", "ST"), ("Heart", "HT"), ("Letter", "LT"), ("Butterfly", "BF")):
        for color, ccode in COLORS:
            items.append(Product(f"Embroidered Applique {motif} {color}", f"AP-{mcode}-{ccode}", "刺绣布贴", 0.45))
    for style, scode, price in (("Custom Embroidered Baseball Cap", "BC", 3.2), ("Trucker Hat Embroidered Logo", "TH", 2.8),
                                ("Embroidered Bucket Hat", "BH", 3.6)):
        for color, ccode in COLORS:
            items.append(Product(f"{style} {color}", f"{scode}-{ccode}", "定制帽子", price))
    for shape, scode in (("Round", "RD"), ("Heart", "HT"), ("Star", "ST")):
        for color, ccode in COLORS:
            items.append(Product(f"Embroidered Keychain {shape} {color}", f"KC-{scode}-{ccode}", "钥匙扣", 0.75))
    return items


CATEGORY_WEIGHTS = {"刺绣徽章": 45, "刺绣布贴": 15, "定制帽子": 25, "钥匙扣": 15}


@dataclass
class Buyer:
    id: str
    name: str
    email: str
    country: str
    kind: str  # big_b small_b c declining new sample | inquiry_only prospect
    sub: str = ""  # declining: stopped/shrinking; new: big/small/c
    business_type: str = ""
    consent: str = "是"
    blacklist: str = ""  # the 备注 of a blacklisted buyer
    note: str = ""
    favourites: list = field(default_factory=list)
    typical_qty: int = 0  # units per line on a bulk ("big") order


@dataclass
class Order:
    id: str
    buyer: Buyer
    placed: dt.datetime
    sample: bool
    size: str  # big small c sample
    lines: list  # (Product, qty, unit price, cost)
    status: str = ""
    paid: dt.datetime | None = None
    logistics: str = ""

    @property
    def amount(self) -> float:
        return round(sum(round(q * p, 2) for _, q, p, _ in self.lines), 2)


VALID_STATUSES = ("交易完成", "已发货", "等待买家收货")


def buyer_mix(n: int) -> dict[str, int]:
    """How many order customers of each kind for n order customers (120 by default)."""
    mix = {"big_b": max(2, round(n * 8 / 120)), "declining": max(2, round(n * 12 / 120)),
           "small_b": max(2, round(n * 22 / 120)), "new": max(2, round(n * 12 / 120)),
           "sample": max(2, round(n * 16 / 120))}
    mix["c"] = max(1, n - sum(mix.values()))
    return mix


class AlibabaSet:
    def __init__(self, seed: int, n_customers: int):
        self.r = Rand(seed, 1)
        self.n = n_customers
        self.catalog = alibaba_catalog()
        self.by_category: dict[str, list[Product]] = {}
        for p in self.catalog:
            self.by_category.setdefault(p.category, []).append(p)
        self.used_ids: set[str] = set()
        self.used_names: set[str] = set()
        self.used_emails: set[str] = set()
        self.buyers: list[Buyer] = []
        self.orders: list[Order] = []
        self.inquiries: list[list] = []
        self.visits: list[list] = []
        self.after_sales: list[list] = []

    # -- identities --------------------------------------------------------------------------
    def new_buyer_id(self) -> str:
        while True:
            # 8 characters, always at least two leading zeros: 00012345, 00604417, 00000917
            n = self.r.int(100, 9999) if self.r.chance(0.08) else self.r.int(10000, 999999)
            bid = f"{n:08d}"
            if bid not in self.used_ids:
                self.used_ids.add(bid)
                return bid

    def unique_name(self, draw) -> str:
        """draw(level) -> a name; level rises when the word lists run short (large --customers)."""
        for attempt in range(10_000):
            name = draw(attempt // 40)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("name lists exhausted")

    def company_name(self, country: str) -> str:
        _, style, suffixes = COUNTRIES[country]
        first, second = NAME_PARTS[style]

        def draw(level: int) -> str:
            extra = " " + self.r.pick(QUALIFIERS) if level >= 1 else ""
            extra += f" {self.r.int(2, 99)}" if level >= 2 else ""
            return f"{self.r.pick(first)} {self.r.pick(second)}{extra} {self.r.pick(suffixes)}"
        return self.unique_name(draw)

    def person_name(self) -> str:
        def draw(level: int) -> str:
            middle = f"{self.r.pick(LAST_INITIALS)}. " if level >= 1 else ""
            name = f"{self.r.pick(FIRST_NAMES)} {middle}{self.r.pick(LAST_INITIALS)}."
            return name + (f" {self.r.int(2, 99)}" if level >= 2 else "")
        return self.unique_name(draw)

    def email_for(self, name: str, person: bool) -> str:
        domain = self.r.pick(["example.com", "example.net", "example.org"], [5, 3, 2])
        if person:
            first = ascii_slug(name.split()[0])
            base = f"{first}.{ascii_slug(name.split()[1])}{self.r.int(10, 999)}"
        else:
            words = [w for w in (ascii_slug(w) for w in name.split()) if w][:2]
            base = f"{self.r.pick(['sales', 'purchasing', 'info', 'orders', 'buyer', 'procurement'])}.{''.join(words)}"
        email = f"{base}@{domain}"
        while email in self.used_emails:
            email = f"{base}{self.r.int(2, 99)}@{domain}"
        self.used_emails.add(email)
        return email

    def make_buyer(self, kind: str, person: bool | None = None) -> Buyer:
        names = list(COUNTRIES)
        country = self.r.pick(names, [COUNTRIES[c][0] for c in names])
        if person is None:
            person = kind == "c"
        name = self.person_name() if person else self.company_name(country)
        b = Buyer(self.new_buyer_id(), name, self.email_for(name, person), country, kind)
        category = self.r.pick(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))
        b.favourites = self.r.sample(self.by_category[category], self.r.int(2, 5))
        b.consent = "是" if self.r.chance(0.8) else "否"
        b.typical_qty = int(np.exp(self.r.uniform(np.log(300), np.log(1300))))
        return b

    # -- orders --------------------------------------------------------------------------------
    def new_order_id(self) -> str:
        while True:
            oid = "30" + self.r.digits(14)
            if oid not in self.used_ids:
                self.used_ids.add(oid)
                return oid

    def add_order(self, buyer: Buyer, day: dt.date, size: str, shrink: float = 1.0) -> Order | None:
        if day < ORDERS_START or day > AS_OF:
            return None
        n_lines = {"big": self.r.int(1, 3), "small": self.r.int(1, 4), "c": self.r.pick([1, 1, 1, 2]), "sample": 1}[size]
        negotiated = self.r.uniform(0.85, 1.0)
        lines, seen = [], set()
        for _ in range(n_lines):
            product = self.r.pick(buyer.favourites) if self.r.chance(0.8) else self.r.pick(self.catalog)
            if product.code in seen:
                continue
            seen.add(product.code)
            if size == "big":
                qty = min(2000, max(200, 50 * int(round(buyer.typical_qty * self.r.uniform(0.6, 1.4) / 50))))
                price = product.price * negotiated
            elif size == "small":
                qty = self.r.int(5, 20) * 10
                price = product.price * self.r.uniform(1.15, 1.4)
            elif size == "c":
                qty = self.r.int(1, 10)
                price = product.price * self.r.uniform(3.5, 5.0)
            else:
                qty = self.r.int(1, 3)
                price = max(3.0, product.price * self.r.uniform(5.0, 8.0))
            if shrink != 1.0:
                qty = max(20, int(round(qty * shrink / 10)) * 10)
            price = round(price, 2)
            cost = round(qty * price * self.r.uniform(0.55, 0.75), 2)
            lines.append((product, qty, price, cost))
        # Beijing time; buyers write at any hour, but the last day must stay 2026-10-31.
        order = Order(self.new_order_id(), buyer, self.r.moment(day), size == "sample", size, lines)
        self.orders.append(order)
        return order

    def schedule(self, first: dt.date, mean_gap: float, until: dt.date, max_orders: int = 99) -> list[dt.date]:
        days, day = [], first
        while day <= until and len(days) < max_orders:
            days.append(day)
            day = day + dt.timedelta(days=self.r.gamma_days(mean_gap))
        return days

    def maybe_sample_first(self, buyer: Buyer, first: dt.date, p: float) -> None:
        if self.r.chance(p):
            self.add_order(buyer, first - dt.timedelta(days=self.r.int(12, 40)), "sample")

    def build_orders(self) -> None:
        mix = buyer_mix(self.n)
        for kind, count in mix.items():
            for _ in range(count):
                self.buyers.append(self.make_buyer(kind))
        for b in self.buyers:
            r = self.r
            if b.kind == "big_b":
                first = r.date(dt.date(2025, 1, 3), dt.date(2025, 6, 30))
                self.maybe_sample_first(b, first, 0.3)
                for d in self.schedule(first, r.pick([30, 60, 90, 90]), AS_OF):  # monthly .. quarterly
                    self.add_order(b, d, "big")
            elif b.kind == "small_b":
                first = r.date(dt.date(2025, 1, 6), dt.date(2026, 7, 31))
                self.maybe_sample_first(b, first, 0.3)
                for d in self.schedule(first, r.uniform(45, 120), AS_OF, max_orders=10):
                    self.add_order(b, d, "small")
            elif b.kind == "c":
                first = r.date(ORDERS_START, dt.date(2026, 8, 31))
                self.add_order(b, first, "c")
                if r.chance(0.15):
                    self.add_order(b, first + dt.timedelta(days=r.int(30, 200)), "c")
            elif b.kind == "declining":
                b.sub = "stopped" if r.chance(0.5) else "shrinking"
                size = "big" if r.chance(0.25) else "small"
                first = r.date(dt.date(2025, 1, 3), dt.date(2025, 3, 31))
                if b.sub == "stopped":
                    for d in self.schedule(first, r.uniform(40, 60), r.date(dt.date(2025, 12, 1), dt.date(2026, 5, 31))):
                        self.add_order(b, d, size)
                else:
                    for d in self.schedule(first, r.uniform(40, 60), AS_OF - dt.timedelta(days=r.int(5, 30))):
                        self.add_order(b, d, size, shrink=0.3 if d >= dt.date(2026, 4, 1) else 1.0)
            elif b.kind == "new":
                b.sub = r.pick(["big", "small", "small", "c", "c"])
                first = r.date(AS_OF - dt.timedelta(days=60), AS_OF)
                self.maybe_sample_first(b, first, 0.4)
                self.add_order(b, first, b.sub)
                if r.chance(0.3) and first + dt.timedelta(days=14) <= AS_OF:
                    self.add_order(b, r.date(first + dt.timedelta(days=7), AS_OF), b.sub)
            elif b.kind == "sample":
                # mostly recent: sample buyers are warm leads
                if r.chance(0.7):
                    first = r.date(dt.date(2026, 3, 1), AS_OF)
                else:
                    first = r.date(dt.date(2025, 3, 1), dt.date(2026, 2, 28))
                self.add_order(b, first, "sample")
                if r.chance(0.3):
                    self.add_order(b, first + dt.timedelta(days=r.int(7, 60)), "sample")
        # The latest order date must be exactly 2026-10-31 so that the as-of date is reproducible.
        if not any(o.placed.date() == AS_OF for o in self.orders):
            big = next(b for b in self.buyers if b.kind == "big_b")
            self.add_order(big, AS_OF, "big")
        self.assign_statuses()
        self.force_blacklist()

    def assign_statuses(self) -> None:
        for o in self.orders:
            age = (AS_OF - o.placed.date()).days
            if age <= 14 and self.r.chance(0.12):
                o.status = "等待买家付款"
            elif not o.sample and self.r.chance(0.05):  # samples are paid up front
                o.status = "已取消"
            elif age > 25 and not o.sample and self.r.chance(0.025):
                o.status = "已退款"
            elif age <= 6:
                o.status, o.logistics = "已发货", "待验货"
            elif age <= 14:
                o.status, o.logistics = "已发货", "已订舱"
            elif age <= 35:
                o.status, o.logistics = "等待买家收货", "运输中"
            else:
                o.status, o.logistics = "交易完成", "已签收"
            if o.status not in ("等待买家付款", "已取消"):
                o.paid = self.r.later(o.placed, 5, 4320, LAST_MOMENT)
            if o.status == "已退款" and self.r.chance(0.5):
                o.logistics = "已签收"

    def force_blacklist(self) -> None:
        """Three blacklisted buyers whose history shows why."""
        cs = [b for b in self.buyers if b.kind == "c"]
        smalls = [b for b in self.buyers if b.kind == "small_b"]
        picks = [(cs[0], "恶意差评"), (cs[1], "拒绝付款"), (smalls[0], "恶意退款,多次索赔")]
        for buyer, note in picks:
            buyer.blacklist = note
            mine = [o for o in self.orders if o.buyer is buyer and not o.sample]
            if note == "拒绝付款":
                # placed again and never paid: cancelled by the system
                o = self.add_order(buyer, min(AS_OF, mine[-1].placed.date() + dt.timedelta(days=20)), "c")
                o.status, o.paid, o.logistics = "已取消", None, ""
            elif note == "恶意差评":
                mine[0].status, mine[0].logistics = "交易完成", "已签收"
                mine[0].paid = mine[0].paid or mine[0].placed + dt.timedelta(hours=2)
            else:
                for o in mine[-2:]:
                    if (AS_OF - o.placed.date()).days > 25:
                        o.status = "已退款"
                        o.paid = o.paid or o.placed + dt.timedelta(hours=3)
                        o.logistics = "已签收"

    # -- other tables --------------------------------------------------------------------------
    def first_order(self, b: Buyer) -> Order | None:
        mine = [o for o in self.orders if o.buyer is b]
        return min(mine, key=lambda o: o.placed) if mine else None

    def build_inquiries(self) -> None:
        r = self.r
        rows = []
        used = set()

        def inquiry_id(t: dt.datetime) -> str:
            while True:
                iid = f"{t:%y%m%d}" + r.digits(7)
                if iid not in used:
                    used.add(iid)
                    return iid

        def add(b: Buyer, when: dt.datetime, product: Product, qty: int, quoted: bool, sampled: bool,
                audited: bool, status: str, last_contact: dt.datetime | None, expected: dt.date | None):
            rows.append([inquiry_id(when), when, b.id, b.name, b.email, b.country, product.name, qty,
                         "是" if quoted else "否", "是" if sampled else "否", "是" if audited else "否",
                         status, last_contact, expected])

        def contact_after(when: dt.datetime, within: int) -> dt.datetime:
            day = r.date(when.date(), min(AS_OF, when.date() + dt.timedelta(days=within)))
            return max(when + dt.timedelta(hours=1), r.moment(day, 8, 20))

        # buyers who later ordered: the inquiry came first
        for b in self.buyers:
            first = self.first_order(b)
            if first is None or b.blacklist:
                continue
            p = {"big_b": 0.7, "small_b": 0.5, "declining": 0.6, "new": 0.6, "sample": 0.85, "c": 0.05}[b.kind]
            if not r.chance(p):
                continue
            when = first.placed - dt.timedelta(days=r.int(5, 45), hours=r.int(0, 12))
            if when.date() < HISTORY_START:
                continue
            paid_bulk = any(o.buyer is b and not o.sample and o.paid for o in self.orders)
            had_sample = any(o.buyer is b and o.sample for o in self.orders)
            qty = {"big_b": r.int(10, 60) * 100, "declining": r.int(5, 30) * 100, "small_b": r.int(5, 30) * 10,
                   "new": r.int(5, 50) * 10, "sample": r.int(2, 60) * 50, "c": r.int(5, 20)}[b.kind]
            if b.kind == "sample":
                stale = (AS_OF - first.placed.date()).days > 180
                status = "已流失" if stale else "跟进中"
            else:
                status = "已成交" if paid_bulk else "跟进中"
            add(b, when, r.pick(b.favourites), qty, True, had_sample, b.kind == "big_b" and r.chance(0.5),
                status, contact_after(first.placed, 20), None)
            if b.kind in ("big_b", "declining") and r.chance(0.3):
                later = r.moment(r.date(dt.date(2025, 9, 1), AS_OF))
                add(b, later, r.pick(self.catalog), r.int(5, 40) * 100, r.chance(0.7), False, False,
                    r.pick(["跟进中", "已成交"]), contact_after(later, 30), None)

        # pure inquiry customers: never ordered
        n_inq = max(4, round(self.n * 40 / 120))
        for _ in range(n_inq):
            b = self.make_buyer("inquiry_only", person=r.chance(0.15))
            self.buyers.append(b)
            for k in range(2 if r.chance(0.2) else 1):
                recent = r.chance(0.5)
                day = r.date(AS_OF - dt.timedelta(days=120), AS_OF) if recent else r.date(HISTORY_START, dt.date(2026, 6, 30))
                when = r.moment(day, 0, 23)
                if recent:
                    status = "跟进中" if r.chance(0.9) else "已流失"
                else:
                    status = "已流失" if r.chance(0.7) else "跟进中"
                last = None if r.chance(0.18) else contact_after(when, 60)
                qty = r.int(1, 50) * 100 if r.chance(0.7) else r.int(10, 60)
                add(b, when, r.pick(b.favourites), qty, r.chance(0.6), r.chance(0.2), r.chance(0.05), status, last, None)
        # an e-mail-less inquirer (an RFQ left on the platform without contact details)
        rows[-1][4] = ""
        self.buyers[-1].email = ""

        # expected order dates on open inquiries, so that every star rating occurs
        open_rows = [row for row in rows if row[11] == "跟进中" and (AS_OF - row[1].date()).days <= 180
                     and row[2] not in {b.id for b in self.buyers if b.kind not in ("inquiry_only", "sample")}]
        open_rows = r.shuffle(open_rows)
        buckets = [(3, 7), (8, 30), (31, 90), (91, 200)]
        n_dated = max(len(buckets), int(len(open_rows) * 0.6))
        for i, row in enumerate(open_rows[:n_dated]):
            lo, hi = buckets[i % len(buckets)]
            row[13] = AS_OF + dt.timedelta(days=r.int(lo, hi))
            row[12] = r.moment(r.date(max(row[1].date(), AS_OF - dt.timedelta(days=20)), AS_OF), 8, 20)
            if row[12] < row[1]:
                row[12] = row[1] + dt.timedelta(hours=2)
            row[12] = min(row[12], LAST_MOMENT)
        rows.sort(key=lambda row: row[1], reverse=True)
        self.inquiries = rows

    def build_prospects(self) -> None:
        for _ in range(max(2, round(self.n * 6 / 120))):
            self.buyers.append(self.make_buyer("prospect", person=self.r.chance(0.3)))

    def build_visits(self) -> None:
        r = self.r
        target = round(1500 * self.n / 120)
        used: set[str] = set()

        def visitor_id() -> str:
            while True:
                vid = "v" + r.hex_id(7)
                if vid not in used:
                    used.add(vid)
                    return vid

        sources = ["自然搜索", "折扣活动", "内容营销", "直接访问"]
        rows: list[list] = []

        def session(vid: str, bid: str, start: dt.datetime, known: bool, can_review: bool) -> None:
            source = r.pick(sources, [2, 4, 2, 3] if known else [40, 25, 20, 15])
            t = start
            events = ["曝光"] * r.int(1, 3)
            if r.chance(0.6):
                events += r.sample(["浏览", "品类搜索"], r.int(1, 2))
            if r.chance(0.6 if known else 0.35):
                events += r.sample(["点击", "店铺首页", "详情页", "关键词搜索"], r.int(1, 3))
                if r.chance(0.4 if known else 0.3):
                    events += r.sample(["关注", "加购", "收藏", "互动"], r.int(1, 2))
            if can_review:
                if r.chance(0.5):
                    events.append("评价")
                if r.chance(0.15):
                    events.append("分享")
            for e in events:
                rows.append([vid, bid, min(t, LAST_MOMENT), e, source])
                t += dt.timedelta(seconds=r.int(5, 600))

        def visit_start() -> dt.datetime:
            day = r.date(VISITS_START, AS_OF)
            return r.moment(day, 0, 21 if day == AS_OF else 23)  # a session never runs past the last day

        # known buyers: some order customers, some inquirers, most prospects
        share = {"big_b": 0.5, "small_b": 0.4, "declining": 0.3, "new": 0.7, "sample": 0.6, "c": 0.2,
                 "inquiry_only": 0.3, "prospect": 0.8}
        for b in self.buyers:
            if not r.chance(share[b.kind]):
                continue
            vid = visitor_id()
            received = [o.placed for o in self.orders if o.buyer is b and o.status == "交易完成"]
            for _ in range(r.int(1, 3)):
                start = visit_start()
                can_review = bool(received) and min(received) + dt.timedelta(days=25) <= start
                session(vid, b.id, start, True, can_review and r.chance(0.6))
        # anonymous visitors until the file is about the target size
        while len(rows) < target:
            vid = visitor_id()
            for _ in range(1 if r.chance(0.75) else r.int(2, 3)):
                session(vid, "", visit_start(), False, False)
        # someone is always browsing on the last day
        rows.append([visitor_id(), "", dt.datetime(2026, 10, 31, 21, 47, 12), "曝光", "自然搜索"])
        rows.sort(key=lambda row: (row[2], row[0]), reverse=True)
        self.visits = rows

    def build_after_sales(self) -> None:
        r = self.r
        target = max(3, round(self.n * 15 / 120))
        refunded = [o for o in self.orders if o.status == "已退款"]
        done = [o for o in self.orders if o.status == "交易完成" and not o.sample]
        in_transit = [o for o in self.orders if o.status == "等待买家收货"]
        # every refund of the blacklisted claimant has a case; other refunds went through the platform's dispute
        picks = [o for o in refunded if o.buyer.blacklist]
        picks += r.sample([o for o in refunded if not o.buyer.blacklist], max(0, target - 5 - len(picks)))
        picks += r.sample(in_transit, 2)
        picks += r.sample(done, max(0, target - len(picks)))
        rows, used = [], set()
        for o in picks:
            if o.status == "等待买家收货":
                created = r.moment(r.date(o.placed.date() + dt.timedelta(days=10), AS_OF), 8, 22)
                issue = "物流延误"
            else:
                created = r.moment(min(AS_OF, o.placed.date() + dt.timedelta(days=r.int(20, 45))), 8, 22)
                issue = r.pick(["质量问题", "少发漏发"]) if o.status == "已退款" else r.pick(
                    ["质量问题", "颜色不符", "尺寸不符", "少发漏发", "包装破损"])
            open_case = (AS_OF - created.date()).days <= 10 or r.chance(0.12)
            finished = None
            if not open_case:
                finished = r.later(created, 60, r.int(1, 14) * 1440, LAST_MOMENT)
            while True:
                case_id = f"{created:%Y%m%d}" + r.digits(4)
                if case_id not in used:
                    used.add(case_id)
                    break
            rows.append([case_id, o.buyer.id, o.id, created, finished, "处理中" if open_case else "已解决", issue])
        rows.sort(key=lambda row: row[3], reverse=True)
        self.after_sales = rows

    def build(self) -> "AlibabaSet":
        self.build_orders()
        self.build_inquiries()
        self.build_prospects()
        self.build_visits()
        self.build_after_sales()
        notes = ["广交会认识", "要求月结", "偏好亮色", "老客户,每月要新品目录", "只做OEM", "价格敏感"]
        for b in self.buyers:
            if b.kind == "big_b":
                b.business_type = "批发商"
            elif b.kind in ("small_b", "declining"):
                b.business_type = self.r.pick(["批发商", "零售商", "零售商", ""])
            elif b.kind == "c":
                b.business_type = "个人" if self.r.chance(0.85) else ""
            elif b.kind == "new":
                b.business_type = {"big": "批发商", "small": "零售商", "c": "个人"}[b.sub] if self.r.chance(0.8) else ""
            else:  # sample, inquiry_only, prospect
                b.business_type = self.r.pick(["批发商", "零售商", "零售商", ""])
            if not b.blacklist and b.kind in ("big_b", "small_b", "declining", "sample") and self.r.chance(0.15):
                b.note = self.r.pick(notes)
        return self

    # -- writing -------------------------------------------------------------------------------
    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.write_orders(out / "orders.xlsx")
        self.write_inquiries(out / "inquiries.xlsx")
        write_csv(out / "visitors.csv", ["访客ID", "买家ID", "访问时间", "行为", "来源"],
                  [[v, b, iso(t), e, s] for v, b, t, e, s in self.visits], encoding="utf-8-sig")
        write_csv(out / "after_sales.csv", ["售后单号", "买家ID", "订单号", "创建时间", "完成时间", "售后状态", "问题类型"],
                  [[a, b, o, iso(c), iso(f), s, i] for a, b, o, c, f, s, i in self.after_sales], encoding="gb18030")
        customers = sorted((b for b in self.buyers), key=lambda b: b.id)
        write_csv(out / "customers.csv", ["买家ID", "买家名称", "邮箱", "国家", "客户类型", "是否接收营销邮件", "黑名单", "备注"],
                  [[b.id, b.name, b.email, b.country, b.business_type, b.consent, "是" if b.blacklist else "",
                    b.blacklist or b.note] for b in customers])

    @staticmethod
    def workbook(path: Path):
        wb = xlsxwriter.Workbook(str(path))
        wb.set_properties({"created": WORKBOOK_CREATED, "author": "tiercli examples"})
        f = {"head": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
             "time": wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
             "date": wb.add_format({"num_format": "yyyy-mm-dd"}),
             "usd": wb.add_format({"num_format": "0.00"}),
             "text": wb.add_format({"num_format": "@"})}
        return wb, f

    ORDER_HEADERS = ["订单号", "下单时间", "付款时间", "买家ID", "买家名称", "买家邮箱", "收货国家", "商品名称", "商品编码",
                     "商品分类", "数量", "单价", "实付金额", "币种", "订单状态", "订单类型", "物流状态", "成本"]

    def write_orders(self, path: Path) -> None:
        wb, f = self.workbook(path)
        for year in (2025, 2026):
            ws = wb.add_worksheet(str(year))
            ws.write_row(0, 0, self.ORDER_HEADERS, f["head"])
            ws.freeze_panes(1, 0)
            orders = sorted((o for o in self.orders if o.placed.year == year), key=lambda o: o.placed, reverse=True)
            row = 1
            for o in orders:
                for product, qty, price, cost in o.lines:
                    b = o.buyer
                    ws.write_string(row, 0, o.id, f["text"])
                    ws.write_datetime(row, 1, o.placed, f["time"])
                    if o.paid:
                        ws.write_datetime(row, 2, o.paid, f["time"])
                    for col, text in ((3, b.id), (4, b.name), (5, b.email), (6, b.country), (7, product.name),
                                      (8, product.code), (9, product.category)):
                        if text:
                            ws.write_string(row, col, text, f["text"] if col == 3 else None)
                    ws.write_number(row, 10, qty)
                    ws.write_number(row, 11, price, f["usd"])
                    ws.write_number(row, 12, round(qty * price, 2), f["usd"])
                    ws.write_string(row, 13, "USD")
                    ws.write_string(row, 14, o.status)
                    ws.write_string(row, 15, "样品订单" if o.sample else "普通订单")
                    if o.logistics:
                        ws.write_string(row, 16, o.logistics)
                    ws.write_number(row, 17, cost, f["usd"])
                    row += 1
            ws.autofilter(0, 0, max(row - 1, 1), len(self.ORDER_HEADERS) - 1)
            for col, width in enumerate([19, 19, 19, 10, 34, 36, 16, 48, 13, 10, 7, 8, 10, 6, 12, 10, 10, 10]):
                ws.set_column(col, col, width)
        wb.close()

    INQUIRY_HEADERS = ["询盘编号", "询盘时间", "买家ID", "买家名称", "买家邮箱", "国家", "询盘产品", "采购数量", "是否报价",
                       "是否寄样", "是否验厂", "询盘状态", "最近联系", "预计下单时间"]

    def write_inquiries(self, path: Path) -> None:
        wb, f = self.workbook(path)
        ws = wb.add_worksheet("询盘")
        ws.write_row(0, 0, self.INQUIRY_HEADERS, f["head"])
        ws.freeze_panes(1, 0)
        for i, row in enumerate(self.inquiries, start=1):
            iid, when, bid, name, email, country, product, qty, quoted, sampled, audited, status, last, expected = row
            ws.write_string(i, 0, iid, f["text"])
            ws.write_datetime(i, 1, when, f["time"])
            ws.write_string(i, 2, bid, f["text"])
            ws.write_string(i, 3, name)
            if email:
                ws.write_string(i, 4, email)
            ws.write_string(i, 5, country)
            ws.write_string(i, 6, product)
            ws.write_number(i, 7, qty)
            for col, text in ((8, quoted), (9, sampled), (10, audited), (11, status)):
                ws.write_string(i, col, text)
            if last:
                ws.write_datetime(i, 12, last, f["time"])
            if expected:
                ws.write_datetime(i, 13, dt.datetime.combine(expected, dt.time()), f["date"])
        ws.autofilter(0, 0, len(self.inquiries), len(self.INQUIRY_HEADERS) - 1)
        for col, width in enumerate([15, 19, 10, 34, 36, 16, 48, 9, 8, 8, 8, 9, 19, 12]):
            ws.set_column(col, col, width)
        wb.close()

    # -- summary -------------------------------------------------------------------------------
    def summary(self) -> dict:
        value: dict[str, float] = {}
        for o in self.orders:
            if o.status in VALID_STATUSES and not o.sample:
                value[o.buyer.id] = value.get(o.buyer.id, 0.0) + o.amount
        order_customers = {o.buyer.id for o in self.orders}
        ranked = sorted(value.values(), reverse=True)
        top = max(1, round(len(order_customers) * 0.1))
        total = sum(ranked)
        kinds: dict[str, int] = {}
        for b in self.buyers:
            kinds[b.kind] = kinds.get(b.kind, 0) + 1
        return {"kinds": kinds, "order_customers": len(order_customers), "deal_customers": len(value),
                "top10_share": sum(ranked[:top]) / total, "top_n": top,
                "top10_share_of_deal": sum(ranked[:max(1, round(len(value) * 0.1))]) / total,
                "orders": len(self.orders), "lines": sum(len(o.lines) for o in self.orders),
                "blacklisted": sum(1 for b in self.buyers if b.blacklist), "value": total}


# ----------------------------------------------------------------------------------------------
# Set 2: a Shopify home-goods store (English headers, the real export layouts)

SHOP_PRODUCTS = [  # (title, variants, price, sku prefix, requires shipping)
    ("Linen Throw Pillow", ["Sage", "Oat", "Terracotta", "Charcoal"], 48.00, "LTP", True),
    ("Waffle Bath Towel", ["White", "Sand", "Slate"], 32.00, "WBT", True),
    ("Stoneware Mug", ["Speckled White", "Moss", "Ink"], 18.00, "SMG", True),
    ("Ceramic Table Lamp", ["Cream", "Olive"], 129.00, "CTL", True),
    ("Wool Throw Blanket", ["Oatmeal", "Rust", "Forest"], 98.00, "WTB", True),
    ("Soy Candle 8oz", ["Cedar & Sage", "Fig Leaf", "Sea Salt"], 24.00, "SC8", True),
    ("Rattan Storage Basket", ["Small", "Large"], 44.00, "RSB", True),
    ("Cotton Napkins Set of 4", ["Natural", "Indigo", "Blush"], 22.00, "CNS", True),
    ("Walnut Serving Board", ["Medium", "Large"], 58.00, "WSB", True),
    ("Glass Carafe", ["Clear", "Amber"], 28.00, "GCF", True),
    ("Jute Area Rug 5x8", ["Natural"], 189.00, "JAR", True),
    ("Linen Duvet Cover", ["Queen / Sage", "Queen / White", "King / Oat"], 168.00, "LDC", True),
    ("Gift Card", ["$25", "$50", "$100"], 0.0, "GC", False),
]
SHOP_GIVEN_NAMES = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Mason", "Sophia", "Ethan", "Isabella", "Logan", "Mia", "Lucas",
              "Harper", "Aiden", "Evelyn", "Caleb", "Abigail", "Owen", "Ella", "Wyatt", "Avery", "Julian", "Scarlett",
              "Leo", "Grace", "Henry", "Chloe", "Levi", "Zoey", "Isaac", "Nora", "Miles", "Hazel", "Ezra", "Aurora",
              "Theo", "Stella", "Rowan", "Ivy", "Jude", "Priya", "Mateo", "Sofía", "Renée", "Zoë", "Kenji", "Amara"]
SHOP_SURNAMES = ["Whitfield", "Marlowe", "Castellano", "Brennan", "Okafor", "Lindqvist", "Ashby", "Delacroix", "Haverford",
             "Kowalski", "Nakamura", "Pemberton", "Quintero", "Rasmussen", "Sterling", "Thornbury", "Vasquez", "Winslow",
             "Yardley", "Abernathy", "Beaumont", "Calloway", "Dunmore", "Ellsworth", "Fairbanks", "Galloway",
             "Holloway", "Ingram", "Jericho", "Kingsley", "Langford", "Merriweather", "Northcott", "O'Connell",
             "Prescott", "Redmond", "Sinclair", "Townsend", "Underwood", "Vance", "Westbrook", "Müller", "Nuñez"]
STREETS = ["Maple", "Cedar", "Willow", "Lakeview", "Hillcrest", "Orchard", "Juniper", "Birch", "Highland", "Sunset",
           "Meadow", "Park", "Chestnut", "Riverside", "Spruce", "Magnolia", "Harbor", "Linden"]
STREET_TYPES = ["St", "Ave", "Rd", "Blvd", "Ln", "Dr", "Ct", "Way"]
# province code: (name, cities, zip prefixes, tax rate %, area code)
US_STATES = {
    "NY": ("New York", ["New York", "Brooklyn", "Buffalo", "Rochester"], ["100", "112", "142", "146"], 8.875, "212"),
    "CA": ("California", ["Los Angeles", "San Diego", "Oakland", "Sacramento"], ["900", "921", "946", "958"], 7.25, "415"),
    "TX": ("Texas", ["Austin", "Houston", "Dallas"], ["787", "770", "752"], 8.25, "512"),
    "WA": ("Washington", ["Seattle", "Spokane", "Tacoma"], ["981", "992", "984"], 10.1, "206"),
    "MA": ("Massachusetts", ["Boston", "Cambridge", "Somerville"], ["021", "021", "021"], 6.25, "617"),
    "IL": ("Illinois", ["Chicago", "Evanston"], ["606", "602"], 10.25, "312"),
    "FL": ("Florida", ["Miami", "Orlando", "Tampa"], ["331", "328", "336"], 7.0, "305"),
    "OR": ("Oregon", ["Portland", "Eugene"], ["972", "974"], 0.0, "503"),
    "CO": ("Colorado", ["Denver", "Boulder"], ["802", "803"], 7.65, "303"),
    "PA": ("Pennsylvania", ["Philadelphia", "Pittsburgh"], ["191", "152"], 6.0, "215"),
    "GA": ("Georgia", ["Atlanta", "Savannah"], ["303", "314"], 7.0, "404"),
    "NC": ("North Carolina", ["Raleigh", "Asheville"], ["276", "288"], 7.0, "919"),
    "NJ": ("New Jersey", ["Hoboken", "Princeton"], ["070", "085"], 6.625, "201"),
}
US_WEIGHTS = {"NY": 16, "CA": 18, "TX": 9, "WA": 6, "MA": 7, "IL": 6, "FL": 8, "OR": 4, "CO": 5, "PA": 5, "GA": 4,
              "NC": 4, "NJ": 5}


def eastern_offset(t: dt.datetime) -> str:
    """UTC offset of US Eastern time for a naive local time (DST: 2nd Sunday of March .. 1st Sunday of November)."""
    def nth_sunday(year: int, month: int, n: int) -> dt.date:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    start = dt.datetime.combine(nth_sunday(t.year, 3, 2), dt.time(2))
    end = dt.datetime.combine(nth_sunday(t.year, 11, 1), dt.time(2))
    return "-0400" if start <= t < end else "-0500"


def shop_time(t: dt.datetime | None) -> str:
    return f"{t:%Y-%m-%d %H:%M:%S} {eastern_offset(t)}" if t else ""


# The store is in New York; keep the last day before 20:00 local so that it is 2026-10-31 in UTC too.
SHOP_LAST = dt.datetime(2026, 10, 31, 19, 30, 0)


@dataclass
class ShopCustomer:
    first: str
    last: str
    email: str
    kind: str  # loyal repeat one_time lapsed new none
    accepts: str
    company: str = ""
    address1: str = ""
    address2: str = ""
    city: str = ""
    province: str = ""
    province_code: str = ""
    country: str = ""
    country_code: str = ""
    zip: str = ""
    phone: str = ""
    sms: str = "no"
    tags: list = field(default_factory=list)
    note: str = ""
    tax_rate: float = 0.0
    tax_name: str = ""
    favourites: list = field(default_factory=list)
    wholesale: bool = False
    signup: dt.datetime | None = None

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass
class ShopOrder:
    customer: ShopCustomer | None
    created: dt.datetime
    lines: list  # dicts
    name: str = ""
    id: str = ""
    financial: str = "paid"
    fulfillment: str = "fulfilled"
    paid_at: dt.datetime | None = None
    fulfilled_at: dt.datetime | None = None
    cancelled_at: dt.datetime | None = None
    discount_code: str = ""
    discount: float = 0.0
    subtotal: float = 0.0
    shipping: float = 0.0
    shipping_method: str = ""
    taxes: float = 0.0
    total: float = 0.0
    refunded: float = 0.0
    source: str = "web"
    payment_method: str = "Shopify Payments"
    payment_ref: str = ""
    risk: str = "Low"
    terms: str = ""
    due: dt.datetime | None = None


class ShopifySet:
    def __init__(self, seed: int, n_customers: int):
        self.r = Rand(seed, 2)
        self.n = n_customers
        self.variants = []
        for title, variants, price, sku, ships in SHOP_PRODUCTS:
            for i, v in enumerate(variants):
                p = price
                if title == "Gift Card":
                    p = float(v.strip("$"))
                elif v in ("Large", "King / Oat"):
                    p = price + 20
                code = f"{sku}-{ascii_slug(v)[:3].upper()}" if title != "Gift Card" else f"GC-{v.strip('$')}"
                self.variants.append({"name": f"{title} - {v}", "sku": code, "price": p, "ships": ships})
        self.customers: list[ShopCustomer] = []
        self.orders: list[ShopOrder] = []
        self.emails: set[str] = set()

    def make_customer(self, kind: str) -> ShopCustomer:
        r = self.r
        while True:
            first, last = r.pick(SHOP_GIVEN_NAMES), r.pick(SHOP_SURNAMES)
            email = f"{ascii_slug(first)}.{ascii_slug(last)}{r.int(1, 99) if r.chance(0.5) else ''}@" + \
                r.pick(["example.com", "example.net", "example.org"], [6, 2, 2])
            if email not in self.emails:
                self.emails.add(email)
                break
        c = ShopCustomer(first, last, email, kind, "yes" if r.chance(0.55) else "no")
        u = r.g.random()
        c.address1 = f"{r.int(2, 9899)} {r.pick(STREETS)} {r.pick(STREET_TYPES)}"
        c.address2 = f"Apt {r.int(1, 40)}{r.pick('ABCD')}" if r.chance(0.25) else ""
        if u < 0.88:
            code = r.pick(list(US_WEIGHTS), list(US_WEIGHTS.values()))
            pname, cities, zprefixes, rate, area = US_STATES[code]
            city = r.int(0, len(cities) - 1)
            c.city, c.province, c.province_code = cities[city], pname, code
            zprefix = zprefixes[city]
            c.country, c.country_code = "United States", "US"
            c.zip = zprefix + r.digits(5 - len(zprefix))
            c.phone = f"+1 {area}-555-01{r.int(0, 99):02d}"
            c.tax_rate, c.tax_name = rate, f"{code} State Tax"
        elif u < 0.95:
            code = r.pick(["ON", "BC", "QC"])
            c.province, c.city = {"ON": ("Ontario", "Toronto"), "BC": ("British Columbia", "Vancouver"),
                                  "QC": ("Quebec", "Montréal")}[code]
            c.province_code, c.country, c.country_code = code, "Canada", "CA"
            c.zip = {"ON": "M5V", "BC": "V6B", "QC": "H2X"}[code] + f" {r.int(1, 9)}{r.pick('ABCEGHJKLMNPRSTVWXYZ')}{r.int(1, 9)}"
            c.phone = f"+1 {dict(ON='416', BC='604', QC='514')[code]}-555-01{r.int(0, 99):02d}"
            c.tax_rate, c.tax_name = {"ON": 13.0, "BC": 5.0, "QC": 5.0}[code], {"ON": "HST", "BC": "GST", "QC": "GST"}[code]
        elif u < 0.98:
            c.city, c.province, c.province_code = "London", "England", "ENG"
            c.country, c.country_code = "United Kingdom", "GB"
            letters = "ABDEFGHJLNPQRSTUWXYZ"
            c.zip = f"{r.pick(['SW1A', 'E1', 'N7', 'SE15', 'W2'])} {r.int(1, 9)}{r.pick(letters)}{r.pick(letters)}"
            c.phone = f"+44 20 7946 0{r.int(0, 999):03d}"
        else:
            c.city, c.province, c.province_code = "Sydney", "New South Wales", "NSW"
            c.country, c.country_code = "Australia", "AU"
            c.zip = f"20{r.int(0, 99):02d}"
            c.phone = f"+61 2 5550 {r.int(0, 9999):04d}"
        if r.chance(0.55):
            c.phone = ""
        c.sms = "yes" if c.phone and r.chance(0.3) else "no"
        c.favourites = r.sample([v for v in self.variants if v["ships"]], 3)
        return c

    def order_day(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A day in [lo, hi], twice as likely in November/December (the store's peak)."""
        while True:
            d = self.r.date(lo, hi)
            if d.month in (11, 12) or self.r.chance(0.5):
                return d

    def add_order(self, c: ShopCustomer | None, day: dt.date) -> ShopOrder | None:
        r = self.r
        if day > AS_OF or day < HISTORY_START:
            return None
        created = r.moment(day, 7, 23)
        if created > SHOP_LAST:
            created = r.moment(day, 7, 18)
        lines = []
        n = r.pick([1, 2, 3, 4], [56, 28, 12, 4])
        if c is not None and not c.wholesale and r.chance(0.04):
            v = r.pick([v for v in self.variants if not v["ships"]])
            lines.append({**v, "qty": 1})  # a gift card on its own
        else:
            seen = set()
            for _ in range(n):
                v = r.pick(c.favourites) if c is not None and r.chance(0.5) else r.pick([v for v in self.variants if v["ships"]])
                if v["sku"] in seen:
                    continue
                seen.add(v["sku"])
                qty = r.int(6, 24) if c is not None and c.wholesale else r.pick([1, 1, 1, 1, 2, 2, 3, 4])
                lines.append({**v, "qty": qty})
        bfcm = dt.date(day.year, 11, 21) <= day <= dt.date(day.year, 12, 2)
        for ln in lines:
            ln["compare_at"] = ""
            if bfcm and ln["ships"]:
                ln["compare_at"] = money(ln["price"])
                ln["price"] = round(ln["price"] * 0.8, 2)
            if c is not None and c.wholesale:
                ln["price"] = round(ln["price"] * 0.6, 2)  # wholesale price list
        o = ShopOrder(c, created, lines)
        self.orders.append(o)
        return o

    def build(self) -> "ShopifySet":
        r = self.r
        n = self.n
        mix = {"loyal": max(2, round(n * 0.10)), "repeat": max(2, round(n * 0.23)), "lapsed": max(2, round(n * 0.13)),
               "new": max(2, round(n * 0.07))}
        mix["one_time"] = max(1, n - sum(mix.values()))
        for kind, count in mix.items():
            for _ in range(count):
                self.customers.append(self.make_customer(kind))
        regulars = [c for c in self.customers if c.kind in ("loyal", "repeat")]
        wholesale = regulars[:: max(1, len(regulars) // 4)][:max(2, round(n / 40))]
        for c in wholesale:
            c.wholesale = True
            c.tags.append("wholesale")
            c.company = (f"{r.pick(STREETS)} & {r.pick(['Co', 'Home', 'Living', 'Goods'])} "
                         f"{r.pick(['Interiors', 'Boutique', 'Mercantile'])}")
            c.note = "Net 30 terms approved"
        for c in self.customers:
            if c.kind == "loyal":
                first = r.date(HISTORY_START, dt.date(2025, 3, 31))
                days = []
                d = first
                while d <= AS_OF:
                    days.append(d)
                    d += dt.timedelta(days=r.gamma_days(r.uniform(110, 170), floor=10))
            elif c.kind == "repeat":
                first = r.date(HISTORY_START, dt.date(2026, 6, 30))
                days = [first]
                for _ in range(r.int(1, 2)):
                    days.append(days[-1] + dt.timedelta(days=r.gamma_days(120, shape=2, floor=14)))
            elif c.kind == "lapsed":
                first = r.date(HISTORY_START, dt.date(2025, 1, 31))
                days = [first]
                for _ in range(r.int(1, 2)):
                    days.append(days[-1] + dt.timedelta(days=r.gamma_days(r.uniform(50, 80), floor=14)))
                days = [d for d in days if d <= dt.date(2025, 10, 31)]
            elif c.kind == "new":
                first = r.date(AS_OF - dt.timedelta(days=45), AS_OF)
                days = [first]
                if r.chance(0.25):
                    days.append(r.date(first, AS_OF))
            else:
                days = [self.order_day(HISTORY_START, AS_OF)]
            for d in days:
                self.add_order(c, d)
        # a wholesale draft order inside its Net 30 term, so that a pending invoice always exists
        if not any(o.customer is not None and o.customer.wholesale and (AS_OF - o.created.date()).days <= 30
                   for o in self.orders):
            self.add_order(wholesale[0], AS_OF - dt.timedelta(days=r.int(5, 25)))
        # the very last order is on 2026-10-31
        if not any(o.created.date() == AS_OF for o in self.orders):
            self.add_order(next(c for c in self.customers if c.kind == "new"), AS_OF)
        # two walk-in sales at a pop-up shop, no customer and no e-mail
        for d in (dt.date(2025, 12, 13), dt.date(2026, 6, 6)):
            o = self.add_order(None, d)
            o.source, o.payment_method = "pos", "Cash"
        # customers who signed up for the newsletter but never ordered
        for _ in range(max(2, round(n * 0.04))):
            c = self.make_customer("none")
            c.accepts = "yes"
            c.tags.append("newsletter")
            c.signup = r.moment(r.date(HISTORY_START, AS_OF), 7, 18)
            self.customers.append(c)
        self.finish_orders()
        self.blacklist()
        # every financial status occurs at least once, whatever the seed
        for status in ("pending", "voided", "refunded", "partially_refunded"):
            if not any(o.financial == status for o in self.orders):
                fits = [o for o in self.orders if o.source == "web" and o.financial == "paid" and o.customer is not None
                        and "blacklist" not in o.customer.tags
                        and ((AS_OF - o.created.date()).days <= 7) == (status == "pending")]
                o = fits[-1] if status == "pending" else r.pick(fits)
                o.financial = status
                self.settle(o)
        return self

    def finish_orders(self) -> None:
        r = self.r
        self.orders.sort(key=lambda o: o.created)
        next_id = 5_600_000_000_000 + r.int(0, 99_999_999)
        first_seen: set[int] = set()
        for i, o in enumerate(self.orders):
            c = o.customer
            o.name = f"#{1001 + i}"
            next_id += r.int(2_000_000, 60_000_000)
            o.id = str(next_id)
            items = round(sum(ln["price"] * ln["qty"] for ln in o.lines), 2)
            pct = 0.0
            if c is not None and id(c) not in first_seen and r.chance(0.3):
                o.discount_code, pct = "WELCOME10", 0.10
            elif c is not None and c.kind == "loyal" and r.chance(0.2):
                o.discount_code, pct = "LOYAL15", 0.15
            elif o.created.month in (3, 4) and r.chance(0.15):
                o.discount_code, pct = "SPRING20", 0.20
            if c is not None:
                first_seen.add(id(c))
            if any(not ln["ships"] for ln in o.lines):
                o.discount_code, pct = "", 0.0  # codes do not apply to gift cards
            o.discount = round(items * pct, 2)
            left = o.discount
            for j, ln in enumerate(o.lines):  # allocate the code's discount to lines
                share = left if j == len(o.lines) - 1 else round(o.discount * ln["price"] * ln["qty"] / items, 2)
                ln["discount"] = share
                left = round(left - share, 2)
            o.subtotal = round(items - o.discount, 2)
            ships = any(ln["ships"] for ln in o.lines)
            if not ships or o.source == "pos":
                o.shipping, o.shipping_method = 0.0, ""
            elif c is not None and c.wholesale:
                o.shipping, o.shipping_method = 35.0, "Freight"
            elif o.subtotal >= 100:
                o.shipping, o.shipping_method = 0.0, "Free Shipping"
            elif r.chance(0.1):
                o.shipping, o.shipping_method = 19.95, "Express Shipping"
            else:
                o.shipping, o.shipping_method = 8.95, "Standard Shipping"
            taxable = round(sum(ln["price"] * ln["qty"] - ln["discount"] for ln in o.lines if ln["ships"]), 2)
            rate = 8.875 if c is None else (0.0 if c.wholesale else c.tax_rate)  # resellers are tax-exempt
            o.taxes = round(taxable * rate / 100, 2)
            o.total = round(o.subtotal + o.shipping + o.taxes, 2)
            # payment
            age = (AS_OF - o.created.date()).days
            u = r.g.random()
            if c is not None and c.wholesale and age <= 30:  # Net 30: not due yet
                o.financial, o.source, o.payment_method = "pending", "shopify_draft_order", "Manual"
                o.terms, o.due = "Net 30", o.created + dt.timedelta(days=30)
            elif c is not None and c.wholesale:
                o.source = "shopify_draft_order"
            elif u < 0.03:
                o.financial, o.risk = "voided", r.pick(["High", "Medium", "Low"])
            elif u < 0.06 and age > 5:
                o.financial = "refunded"
            elif u < 0.10 and age > 5:
                o.financial = "partially_refunded"
            elif u < 0.13 and age <= 20:
                o.financial = "pending"
            if o.source == "web" and o.payment_method != "Manual":
                o.payment_method = r.pick(["Shopify Payments", "Shopify Payments", "Shopify Payments", "PayPal Express Checkout"])
            self.settle(o)

    def settle(self, o: ShopOrder) -> None:
        """Dates, fulfilment and refunds that follow from the financial status."""
        r = self.r
        age = (AS_OF - o.created.date()).days
        o.paid_at = o.fulfilled_at = o.cancelled_at = None
        o.refunded = 0.0
        if o.financial in ("paid", "refunded", "partially_refunded"):
            o.paid_at = o.created + dt.timedelta(seconds=r.int(2, 40))
        if o.financial == "voided":
            o.cancelled_at = r.later(o.created, 60, 30 * 60, SHOP_LAST)
            o.fulfillment = "unfulfilled"
        elif o.financial == "pending":
            o.fulfillment = "unfulfilled"
        elif o.source == "pos":
            o.fulfillment, o.fulfilled_at = "fulfilled", o.created
        elif age <= 2:
            o.fulfillment = "unfulfilled"
        elif age <= 4 and len(o.lines) > 1 and r.chance(0.5):
            o.fulfillment = "partial"
            o.fulfilled_at = r.later(o.created, 12 * 60, 40 * 60, SHOP_LAST)
        else:
            o.fulfillment = "fulfilled"
            o.fulfilled_at = r.later(o.created, 10 * 60, 96 * 60, SHOP_LAST)
        if o.financial == "refunded":
            o.refunded = o.total
        elif o.financial == "partially_refunded":
            ln = max(o.lines, key=lambda ln: ln["price"])
            tax_share = o.taxes / max(o.subtotal, 0.01)
            o.refunded = min(round(o.total - 0.01, 2), round(ln["price"] * (1 + tax_share), 2))  # one unit back
        o.payment_ref = "" if o.financial == "pending" or (o.financial == "voided" and r.chance(0.5)) else f"c{r.digits(11)}.1"

    def blacklist(self) -> None:
        """Two blacklisted customers whose orders show why."""
        multi = [c for c in self.customers if c.kind in ("repeat", "loyal") and not c.wholesale]
        for c, note, statuses in ((multi[1], "Abusive returns: refunds on 3 orders, do not send offers",
                                   ["refunded", "partially_refunded", "refunded"]),
                                  (multi[4], "Chargeback fraud 2025-12, card disputes", ["voided", "refunded"])):
            c.tags.append("blacklist")
            c.note = note
            mine = [o for o in self.orders if o.customer is c and (AS_OF - o.created.date()).days > 5]
            for o, status in zip(mine[-len(statuses):], statuses):
                o.financial = status
                self.settle(o)

    def write(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        order_header = (HEADERS_DIR / "shopify_orders_export.header.csv").read_text(encoding="utf-8").strip().split(",")
        cust_header = (HEADERS_DIR / "shopify_customers_export.header.csv").read_text(encoding="utf-8").strip().split(",")
        rows = []
        for o in sorted(self.orders, key=lambda o: o.created, reverse=True):  # Shopify exports newest first
            c = o.customer
            for j, ln in enumerate(o.lines):
                row = dict.fromkeys(order_header, "")
                row["Name"] = o.name
                row["Lineitem quantity"] = str(ln["qty"])
                row["Lineitem name"] = ln["name"]
                row["Lineitem price"] = money(ln["price"])
                row["Lineitem compare at price"] = ln["compare_at"]
                row["Lineitem sku"] = ln["sku"]
                row["Lineitem requires shipping"] = "true" if ln["ships"] else "false"
                row["Lineitem taxable"] = "true" if ln["ships"] else "false"
                fulfilled = o.fulfillment == "fulfilled" or (o.fulfillment == "partial" and j == 0)
                row["Lineitem fulfillment status"] = "fulfilled" if fulfilled else "pending"
                row["Lineitem discount"] = money(ln["discount"])
                if j == 0:
                    self.order_fields(row, o, c)
                rows.append([row[h] for h in order_header])
        write_csv(out / "orders_export.csv", order_header, rows)

        crow = []
        for c in self.customers:
            mine = [o for o in self.orders if o.customer is c]
            spent = sum(o.total - o.refunded for o in mine if o.financial in ("paid", "partially_refunded", "refunded"))
            count = sum(1 for o in mine if o.financial != "voided")
            c.signup = c.signup or min(o.created for o in mine) - dt.timedelta(minutes=self.r.int(1, 30))
            crow.append((c.signup, [c.first, c.last, c.email, c.accepts, c.company, c.address1, c.address2, c.city,
                                    c.province, c.province_code, c.country, c.country_code, c.zip, c.phone, c.sms,
                                    money(spent), str(count), ", ".join(c.tags), c.note,
                                    "yes" if c.wholesale else "no"]))
        crow.sort(key=lambda x: x[0])
        write_csv(out / "customers_export.csv", cust_header, [row for _, row in crow])

    @staticmethod
    def order_fields(row: dict, o: ShopOrder, c: ShopCustomer | None) -> None:
        row["Email"] = c.email if c else ""
        row["Financial Status"] = o.financial
        row["Paid at"] = shop_time(o.paid_at)
        row["Fulfillment Status"] = o.fulfillment
        row["Fulfilled at"] = shop_time(o.fulfilled_at)
        row["Accepts Marketing"] = c.accepts if c else "no"
        row["Currency"] = "USD"
        row["Subtotal"] = money(o.subtotal)
        row["Shipping"] = money(o.shipping)
        row["Taxes"] = money(o.taxes)
        row["Total"] = money(o.total)
        row["Discount Code"] = o.discount_code
        row["Discount Amount"] = money(o.discount)
        row["Shipping Method"] = o.shipping_method
        row["Created at"] = shop_time(o.created)
        if c is not None:
            street = c.address1 + (f", {c.address2}" if c.address2 else "")
            for side in ("Billing", "Shipping"):
                if side == "Shipping" and o.source == "pos":
                    continue
                row[f"{side} Name"] = c.name
                row[f"{side} Street"] = street
                row[f"{side} Address1"] = c.address1
                row[f"{side} Address2"] = c.address2
                row[f"{side} Company"] = c.company
                row[f"{side} City"] = c.city
                row[f"{side} Zip"] = c.zip
                row[f"{side} Province"] = c.province_code
                row[f"{side} Country"] = c.country_code
                row[f"{side} Phone"] = c.phone
                row[f"{side} Province Name"] = c.province
        row["Cancelled at"] = shop_time(o.cancelled_at)
        row["Payment Method"] = o.payment_method
        row["Payment Reference"] = o.payment_ref
        row["Refunded Amount"] = money(o.refunded)
        row["Vendor"] = "Hearth & Loom"
        row["Outstanding Balance"] = money(o.total if o.financial == "pending" else 0.0)
        row["Location"] = "Brooklyn Pop-up Shop" if o.source == "pos" else ""
        row["Id"] = o.id
        row["Tags"] = "wholesale" if c is not None and c.wholesale else ""
        row["Risk Level"] = o.risk
        row["Source"] = o.source
        if o.taxes:
            name, rate = (c.tax_name, c.tax_rate) if c is not None else ("NY State Tax", 8.875)  # pop-up in Brooklyn
            row["Tax 1 Name"] = f"{name} {rate:g}%"
            row["Tax 1 Value"] = money(o.taxes)
        row["Payment ID"] = o.payment_ref.removesuffix(".1")
        row["Payment References"] = o.payment_ref.removesuffix(".1")
        row["Payment Terms Name"] = o.terms
        row["Next Payment Due At"] = shop_time(o.due)

    def summary(self) -> dict:
        kinds: dict[str, int] = {}
        for c in self.customers:
            kinds[c.kind] = kinds.get(c.kind, 0) + 1
        status: dict[str, int] = {}
        for o in self.orders:
            status[o.financial] = status.get(o.financial, 0) + 1
        return {"kinds": kinds, "orders": len(self.orders), "lines": sum(len(o.lines) for o in self.orders),
                "financial": status, "wholesale": sum(c.wholesale for c in self.customers),
                "blacklisted": sum("blacklist" in c.tags for c in self.customers)}


# ----------------------------------------------------------------------------------------------
# edge cases


def write_edge(out: Path, seed: int) -> None:
    r = Rand(seed, 3)
    out.mkdir(parents=True, exist_ok=True)
    (out / "empty.csv").write_bytes(b"")
    write_csv(out / "header_only.csv", AlibabaSet.ORDER_HEADERS, [])
    write_csv(out / "unknown_columns.csv", ["foo", "bar", "baz"], [["1", "alpha", "x"], ["2", "beta", "y"], ["3", "gamma", "z"]])

    countries = ["United States", "Germany", "France", "Canada", "United Kingdom"]
    rows = []
    for i in range(12):
        day, month = r.int(1, 12), r.int(1, 12)
        while day == month:  # 05/05 would be unambiguous in effect; keep every date truly ambiguous
            day = r.int(1, 12)
        cid = f"C{r.int(100, 140)}"
        rows.append([f"A-{2001 + i}", f"{month:02d}/{day:02d}/2026", cid, f"buyer{cid[1:]}@example.org",
                     r.pick(countries), str(r.int(1, 12)), money(r.uniform(4, 60))])
    write_csv(out / "ambiguous_dates.csv", ["Order ID", "Order Date", "Customer ID", "Email", "Country", "Quantity", "Unit Price"], rows)

    def euro(x: float) -> str:
        s = f"{abs(x):,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"({s})" if x < 0 else f"{s} €"

    people = [("K-1007", "Zoë Lefèvre"), ("K-1011", "Jürgen Bäcker"), ("K-1015", "Renée Dubois"),
              ("K-1023", "Günther Schön"), ("K-1031", "Inès Gómez")]
    rows = []
    for i in range(10):
        kid, name = people[i % len(people)]
        amount = -12.0 if i == 6 else (1234.56 if i == 2 else round(r.uniform(15, 2500), 2))
        day = dt.date(2026, 10, 31) - dt.timedelta(days=r.int(0, 200)) if i else dt.date(2026, 10, 31)
        rows.append([f"RE-{2026}{i + 101:04d}", f"{day:%d.%m.%Y}", kid, name,
                     f"{ascii_slug(name.split()[0])}.{ascii_slug(name.split()[1])}@example.net",
                     r.pick(["Deutschland", "Österreich", "Frankreich", "Schweiz"]), str(r.int(1, 40)) if amount > 0 else "-1",
                     euro(amount)])
    write_csv(out / "european_amounts.csv", ["Order ID", "Order Date", "Customer ID", "Customer Name", "Email", "Country",
                                              "Quantity", "Amount"], rows, encoding="cp1252", delimiter=";")

    buf = io.StringIO()
    w = csv.writer(buf, delimiter="\t", lineterminator="\r\n")
    w.writerow(["Order ID", "Order Date", "Customer ID", "Customer Email", "Ship Country", "Product", "Quantity",
                "Unit Price", "Order Total"])
    for i in range(10):
        qty, price = r.int(1, 6), round(r.uniform(5, 80), 2)
        day = r.moment(r.date(dt.date(2026, 8, 1), AS_OF), 8, 20)
        w.writerow([f"W{90001 + i}", iso(day), f"CU{r.int(1, 6):03d}", f"shopper{r.int(1, 6)}@example.com",
                    r.pick(["US", "CA", "GB", "DE"]), r.pick(["Canvas Tote", "Enamel Pin Set", "Wool Beanie"]),
                    qty, money(price), money(qty * price)])
    (out / "utf16_orders.txt").write_bytes(buf.getvalue().encode("utf-16"))  # "utf-16" writes the LE BOM on LE hosts


# ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=20261031, help="random seed (default 20261031)")
    ap.add_argument("--customers", type=int, default=120,
                    help="B2B order customers (default 120); Shopify gets 1.25x, inquiries and visitors scale too")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent, help="output folder (default: this folder)")
    args = ap.parse_args(argv)
    if args.customers < 20:
        ap.error("--customers must be at least 20")

    ali = AlibabaSet(args.seed, args.customers).build()
    ali.write(args.out / "alibaba")
    shop = ShopifySet(args.seed, round(args.customers * 1.25)).build()
    shop.write(args.out / "shopify")
    write_edge(args.out / "edge", args.seed)

    s = ali.summary()
    print(f"alibaba: {s['orders']} orders / {s['lines']} lines, {len(ali.inquiries)} inquiries, {len(ali.visits)} visits, "
          f"{len(ali.after_sales)} after-sales cases, {len(ali.buyers)} customers {s['kinds']}, "
          f"{s['blacklisted']} blacklisted; top 10% ({s['top_n']}) of {s['order_customers']} order customers hold "
          f"{s['top10_share']:.0%} of valid value (${s['value']:,.0f})")
    t = shop.summary()
    print(f"shopify: {t['orders']} orders / {t['lines']} lines, {len(shop.customers)} customers {t['kinds']}, "
          f"{t['wholesale']} wholesale, {t['blacklisted']} blacklisted, statuses {t['financial']}")


if __name__ == "__main__":
    main()
