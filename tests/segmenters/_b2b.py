"""Small hand-built exports for the B2B follow-up segmenters (deal_stage, process, aipl, stars).

Each helper writes real-looking CSVs (Chinese headers, as Alibaba.com gives them) into a folder, so the
rules are tested through detection, the canonical tables and build_customers, the way a seller runs them.
Dates are days before (negative: after) the as-of date 2026-10-31.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from tiercli.config import load_config
from tiercli.features import _B2B_COLUMNS
from tiercli.scoring import ScoreResult, score

AS_OF = pd.Timestamp("2026-10-31")
CONFIG = load_config(None, env={})


def day(days_ago: int | None, time: str = "10:00:00") -> str:
    """The date ``days_ago`` days before the as-of date (negative: in the future); None is empty."""
    if days_ago is None:
        return ""
    return f"{(AS_OF - pd.Timedelta(days=days_ago)).date().isoformat()} {time}".strip()


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def order(customer: str, days_ago: int, *, oid: str, amount: float = 100.0, qty: int = 10, sample: bool = False,
          status: str = "交易完成", fulfilment: str = "已签收") -> list:
    return [oid, day(days_ago), customer, amount, qty, status, "样品订单" if sample else "普通订单", fulfilment]


def inquiry(customer: str, days_ago: int, *, qid: str, quoted: bool = False, sample: bool = False,
            audit: bool = False, status: str = "跟进中", contact: int | None = None, expected: int | None = None,
            timeline: str = "", qty: int | str = "") -> list:
    """``contact``: days before the as-of date of the last contact; ``expected``: days AHEAD of it."""
    yes = {True: "是", False: "否"}
    return [qid, day(days_ago), customer, "Embroidered patch", qty, yes[quoted], yes[sample], yes[audit], status,
            day(contact), "" if expected is None else day(-expected, "").strip(), timeline]


def event(visitor: str, days_ago: int, what: str, *, customer: str = "", source: str = "自然搜索") -> list:
    return [visitor, customer, day(days_ago), what, source]


def case(customer: str, days_ago: int, *, cid: str, resolved: int | None = None, status: str = "处理中") -> list:
    return [cid, customer, day(days_ago), day(resolved), status, "质量问题"]


def exports(folder: Path, *, orders=(), inquiries=(), events=(), after_sales=(), customers=()) -> Path:
    """Write the given rows as an Alibaba-style export folder; kinds with no rows get no file."""
    folder.mkdir(parents=True, exist_ok=True)
    if orders:
        _write(folder / "orders.csv", ["订单号", "下单时间", "买家ID", "实付金额", "数量", "订单状态", "订单类型", "物流状态"],
               list(orders))
    if inquiries:
        _write(folder / "inquiries.csv", ["询盘编号", "询盘时间", "买家ID", "询盘产品", "采购数量", "是否报价", "是否寄样",
                                          "是否验厂", "询盘状态", "最近联系", "预计下单时间", "采购周期"], list(inquiries))
    if events:
        _write(folder / "visitors.csv", ["访客ID", "买家ID", "访问时间", "行为", "来源"], list(events))
    if after_sales:
        _write(folder / "after_sales.csv", ["售后单号", "买家ID", "创建时间", "完成时间", "售后状态", "问题类型"],
               list(after_sales))
    if customers:
        _write(folder / "customers.csv", ["买家ID", "买家名称", "客户类型", "黑名单"], list(customers))
    return folder


def run(folder: Path, segmenters: list[str] | None = None, config=CONFIG) -> ScoreResult:
    return score([folder], config=config, segmenters=segmenters, as_of=AS_OF.date().isoformat())


def frame(rows: dict[str, dict]) -> pd.DataFrame:
    """A customers frame by hand: id -> the columns that differ from a customer with nothing at all."""
    base = {"frequency": 0, "paid_orders": 0, "sample_orders": 0, "sample_value": 0.0, "revenue": 0.0,
            "business_type": pd.NA}
    base.update({col: empty for col, (empty, _) in _B2B_COLUMNS.items()})
    dtypes = {col: dtype for col, (_, dtype) in _B2B_COLUMNS.items()}
    dtypes.update({"frequency": "int64", "paid_orders": "int64", "sample_orders": "int64", "sample_value": "float64",
                   "revenue": "float64", "business_type": "str"})
    data = {col: pd.Series([r.get(col, default) for r in rows.values()], dtype=dtypes[col])
            for col, default in base.items()}
    out = pd.DataFrame(data)
    out.index = pd.Index(list(rows), name="customer_id", dtype="str")
    return out
