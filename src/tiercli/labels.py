"""Display names of the columns no segmenter owns: stable English codes -> English or Chinese words.

CSV and JSON keep the codes (``vip``, ``at_risk``) unless the user asks for
``--lang zh`` explicitly; workbooks and the terminal show the words.  Each segmenter declares its own
columns' headers and label words (``Segmenter.headers``, ``labels``, ``extra_labels``); the registry
(``tiercli.segmenters.base``: ``header``, ``label``, ``code_labels``) puts the two together.
"""

from __future__ import annotations

COLUMNS = {
    "customer_id": ("Customer ID", "客户ID"),
    "name": ("Name", "名称"),
    "email": ("Email", "邮箱"),
    "country": ("Country", "国家"),
    "country_code": ("Country code", "国家代码"),
    "company": ("Company", "公司"),
    "accepts_marketing": ("Accepts marketing", "接收营销邮件"),
    "blacklisted": ("Blacklisted", "黑名单"),
    "business_type": ("Business type", "客户类型"),
    "first_order": ("First order", "首单时间"),
    "last_order": ("Last order", "最近下单"),
    "recency_days": ("Days since last order", "距上次下单天数"),
    "frequency": ("Orders", "订单数"),
    "monetary": ("Net value", "净消费额"),
    "revenue": ("Revenue", "销售额"),
    "profit": ("Profit", "利润"),
    "aov": ("Average order value", "客单价"),
    "units": ("Units", "件数"),
    "sample_orders": ("Sample orders", "样品订单数"),
    "tenure_days": ("Days since first order", "首单至今天数"),
    "annual_value": ("Annual value", "年均价值"),
    "median_gap_days": ("Median days between orders", "下单间隔中位数"),
    "units_per_order": ("Units per order", "每单件数"),
    "inquiries": ("Inquiries", "询盘数"),
    "p_buy_band": ("Chance of an order, 90 days", "未来90天下单概率"),
    # summary tables
    "label": ("Label", "分组"),
    "code": ("Code", "代码"),
    "customers": ("Customers", "客户数"),
    "share": ("Share of customers", "客户占比"),
    "revenue_share": ("Share of revenue", "销售额占比"),
    "avg_recency": ("Average days since last order", "平均未下单天数"),
    "customer_pct": ("Top share of customers", "前X%客户"),
    "value_share": ("Value share", "价值占比"),
    "cum_value_share": ("Cumulative value share", "累计价值占比"),
    "reached": ("Reached", "到达人数"),
    "conversion": ("Conversion", "转化率"),
    "visitors": ("Anonymous visitors", "匿名访客"),
    "total": ("Total", "合计"),
    "source": ("Source", "来源"),
    "crowd_share": ("Share of the I crowd", "占兴趣人群比例"),
    "inquiry_customers": ("Inquiry customers", "询盘客户"),
    "sample_customers": ("Sample customers", "样单客户"),
    # backtest
    "bought": ("Bought again", "再次购买人数"),
    "repeat_rate": ("Repeat rate", "复购率"),
    "orders_per_customer": ("Orders per customer", "人均订单"),
    "spend": ("Spend", "消费额"),
    "spend_per_customer": ("Spend per customer", "人均消费"),
    "spend_share": ("Share of spend", "消费占比"),
    "measure": ("Measure", "指标"),
    "kind": ("Kind", "类型"),
    "what": ("What it is", "说明"),
    "auc": ("AUC (buys again)", "AUC(再次购买)"),
    "spearman": ("Spearman with spend", "与消费额的秩相关"),
    "top20_spend_share": ("Spend share of its top 20%", "前20%客户的消费占比"),
    "repeat_days": ("Repeat purchase days before the cut", "截点前复购天数"),
    "actual": ("Actual, mean", "实际(平均)"),
    "predicted": ("Predicted, mean", "预测(平均)"),
}


def in_language(pair: tuple[str, str], lang: str) -> str:
    """The Chinese of an (English, Chinese) pair for ``lang`` "zh", else the English."""
    return pair[1] if lang == "zh" else pair[0]
