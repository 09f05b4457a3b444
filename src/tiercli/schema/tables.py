"""The canonical tables: what each kind of export becomes once its headers are mapped.

A preset maps a platform's headers to these field names; everything downstream
(features, segmenters, email planning) reads only these names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    fields: tuple[str, ...]
    # each group needs at least one of its fields mapped for a file to be this kind
    required: tuple[tuple[str, ...], ...]
    dates: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


CUSTOMER_KEY = ("customer_id", "email")

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "orders", "order lines",
            fields=("order_id", "date", "paid_date", "customer_id", "email", "name", "first_name", "last_name",
                    "company", "country", "status", "fulfillment", "cancelled_at", "product", "sku", "category",
                    "quantity", "unit_price", "amount", "order_total", "refunded", "currency", "cost",
                    "unit_cost", "order_type", "accepts_marketing", "business_type", "tags", "note"),
            required=(("order_id",), ("date",), ("amount", "unit_price", "order_total")),
            dates=("date", "paid_date", "cancelled_at"),
            amounts=("quantity", "unit_price", "amount", "order_total", "refunded", "cost", "unit_cost"),
            flags=("accepts_marketing",),
        ),
        Kind(
            "inquiries", "inquiries",
            fields=("inquiry_id", "date", "customer_id", "email", "name", "country", "product", "quantity",
                    "quoted", "sample_sent", "factory_audit", "replied", "status", "last_contact",
                    "expected_date", "timeline"),
            required=(("date",), ("customer_id", "email", "name"),
                      ("inquiry_id", "quoted", "sample_sent", "expected_date", "product")),
            dates=("date", "last_contact", "expected_date"),
            amounts=("quantity",),
            flags=("quoted", "sample_sent", "factory_audit", "replied"),
        ),
        Kind(
            "events", "visitor events",
            fields=("visitor_id", "customer_id", "email", "date", "event", "source", "product"),
            required=(("event",), ("date",), ("visitor_id", "customer_id", "email")),
            dates=("date",),
        ),
        Kind(
            "customers", "customers",
            fields=("customer_id", "email", "name", "first_name", "last_name", "company", "country",
                    "business_type", "accepts_marketing", "unsubscribed", "blacklisted", "tags", "note"),
            required=(("customer_id", "email"),
                      ("blacklisted", "accepts_marketing", "unsubscribed", "business_type", "tags", "name",
                       "first_name")),
            flags=("accepts_marketing", "unsubscribed", "blacklisted"),
        ),
        Kind(
            "after_sales", "after-sales cases",
            fields=("case_id", "customer_id", "email", "order_id", "date", "resolved_date", "status", "issue"),
            required=(("case_id",), ("customer_id", "email", "order_id"), ("date", "status")),
            dates=("date", "resolved_date"),
        ),
        Kind(
            "contacts", "contact log",
            fields=("customer_id", "email", "date", "purpose", "campaign"),
            required=(("date",), ("customer_id", "email"), ("purpose", "campaign")),
            dates=("date",),
        ),
    )
}

# Status vocabularies every preset starts from; a preset's [status] table and tiercli.toml's add to them.
ORDER_STATUS = {
    "paid": ["paid", "completed", "complete", "shipped", "delivered", "fulfilled", "finished", "success",
             "successful", "processing", "partially_refunded", "partially refunded", "partially_paid",
             "已付款", "已支付", "付款成功", "交易完成", "交易成功", "已完成", "已发货", "等待买家收货",
             "买家已收货", "已收货", "待发货", "等待发货", "已签收", "待收货", "部分退款"],
    "cancelled": ["cancelled", "canceled", "cancel", "voided", "void", "failed", "已取消", "交易关闭", "订单关闭",
                  "关闭", "已关闭", "交易取消", "取消", "作废", "已作废"],
    "refunded": ["refunded", "returned", "refund", "return", "returns", "credit note", "credit memo", "已退款",
                 "退款", "退款成功", "退款完成", "全额退款", "退货", "已退货", "退货退款", "已退货退款", "退单",
                 "已退单"],
    "pending": ["pending", "unpaid", "authorized", "awaiting payment", "on-hold", "on hold",
                "pending payment", "等待买家付款", "待付款", "未付款", "待支付", "待确认"],
}

# A status the vocabularies above do not list, but that says refund or return (买家申请退款, Refund issued), or
# cancel (订单已取消), is read as that; unless it also holds a word that turns it round (退款失败, partial
# refund, refund rejected) or says both (取消退款): then it stays unknown, counted for the user to name.
STATUS_CONTAINS = {
    "refunded": ["refund", "return", "credit note", "credit memo", "chargeback", "退款", "退货", "退单"],
    "cancelled": ["cancel", "void", "取消", "作废"],
}
STATUS_CONTAINS_NOT = ["partial", "part ", "reject", "declin", "denied", "fail", "not ", "no ", "non-", "closed",
                       "部分", "拒绝", "驳回", "失败", "未", "无", "不", "关闭", "撤销", "撤回"]

# Where a paid order stands in fulfilment (for the `process` segmenter): seed 003's 验货, 订舱, 待收货.
FULFILLMENT = {
    "inspection": ["待验货", "验货中", "验货", "inspection", "awaiting inspection", "quality check"],
    "booking": ["已订舱", "订舱", "待订舱", "booking", "booked", "awaiting shipment", "unfulfilled", "待发货",
                "partial", "partially fulfilled"],
    "in_transit": ["运输中", "在途", "已发货", "in transit", "shipped", "in_transit", "on the way"],
    "received": ["已签收", "已收货", "买家已收货", "received", "delivered", "fulfilled", "completed"],
}

SAMPLE_WORDS = ["样品", "样单", "样品订单", "寄样", "sample", "samples", "sample order", "trial order"]

TRUE_WORDS = {"1", "y", "yes", "true", "t", "x", "✓", "✔", "是", "有", "已", "对", "on", "subscribed",
              "opted in", "opt-in", "accepted", "blacklisted", "blocked", "已报价", "已寄样", "已验厂"}
FALSE_WORDS = {"0", "n", "no", "false", "f", "否", "无", "未", "off", "unsubscribed", "not subscribed",
               "opted out", "opt-out", "declined", "-", "none"}

# Event words, English and Chinese, mapped to the AIPL stage they show (seed 003).
EVENT_STAGE = {
    "awareness": ["曝光", "浏览", "品类搜索", "impression", "page view", "pageview", "view", "category search",
                  "ad impression", "visit"],
    "interest": ["点击", "店铺首页", "详情页", "关键词搜索", "关注", "订阅", "入会", "加购", "收藏", "互动",
                 "click", "product click", "store visit", "home visit", "detail view", "product view",
                 "keyword search", "search", "follow", "subscribe", "add to cart", "add_to_cart", "favourite",
                 "favorite", "wishlist", "interaction", "message", "inquiry"],
    "loyalty": ["评价", "分享", "review", "share", "referral"],
}
