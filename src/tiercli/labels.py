"""Display names: stable English codes -> English or Chinese words for spreadsheets and summaries.

CSV and JSON keep the codes (``vip``, ``at_risk``) unless the user asks for
``--lang zh`` explicitly; workbooks and the terminal show the words.
"""

from __future__ import annotations

from .segmenters.base import registry

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
    "rfm_r": ("R score", "R分"),
    "rfm_f": ("F score", "F分"),
    "rfm_m": ("M score", "M分"),
    "rfm_score": ("RFM score", "RFM分"),
    "rfm": ("RFM segment", "RFM分群"),
    "rfm_tier": ("RFM tier", "RFM分级"),
    "rfm_reason": ("RFM reason", "RFM依据"),
    "abc": ("ABC class", "ABC分类"),
    "abc_value": ("ABC value", "ABC价值"),
    "abc_rank": ("Value rank", "价值排名"),
    "abc_cum_share": ("Cumulative value share", "累计价值占比"),
    "abc_reason": ("ABC reason", "ABC依据"),
    "tier": ("Tier", "客户分级"),
    "tier_upgrade": ("Upgrade potential", "有升级潜力"),
    "tier_score": ("Tier score", "贡献度评分"),
    "tier_reason": ("Tier reason", "分级依据"),
    "lifecycle": ("Lifecycle", "生命周期"),
    "lifecycle_reason": ("Lifecycle reason", "生命周期依据"),
    "buyer_type": ("Buyer type", "买家类型"),
    "buyer_type_reason": ("Buyer type reason", "买家类型依据"),
    "deal_stage": ("Deal stage", "成交阶段"),
    "deal_stage_reason": ("Deal stage reason", "成交阶段依据"),
    "process": ("Transaction process", "交易过程"),
    "process_reason": ("Process reason", "交易过程依据"),
    "aipl": ("AIPL stage", "AIPL人群"),
    "aipl_source": ("Visit source", "访问来源"),
    "aipl_reason": ("AIPL reason", "AIPL依据"),
    "stars": ("Stars", "星级"),
    "stars_group": ("Star group", "星级分组"),
    "stars_expected_days": ("Days to expected order", "距预计下单天数"),
    "stars_reason": ("Stars reason", "星级依据"),
    "churn": ("Churn risk", "流失风险"),
    "churn_p_buy_90d": ("Chance of an order, 90 days", "未来90天下单概率"),
    "churn_p_alive": ("P(still active)", "仍活跃概率"),
    "churn_expected_90d": ("Expected purchases, 90 days", "未来90天预计购买次数"),
    "churn_reason": ("Churn reason", "流失依据"),
    "clv": ("Lifetime value class", "终身价值分组"),
    "clv_12m": ("Lifetime value, 12 months", "12个月终身价值"),
    "clv_expected_spend": ("Expected spend per purchase", "预计每次消费"),
    "clv_reason": ("Lifetime value reason", "终身价值依据"),
    "cluster": ("Behaviour group", "聚类分群"),
    "cluster_reason": ("Group reason", "分群依据"),
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


def header(column: str, lang: str) -> str:
    """A column's header in ``lang``; unknown columns keep their name."""
    pair = COLUMNS.get(column)
    if pair is None:
        return column
    return pair[1] if lang == "zh" else pair[0]


def code_labels(column: str) -> dict[str, tuple[str, str]]:
    """Codes -> (English, Chinese) for a label column of any registered segmenter."""
    for cls in registry().values():
        if column == cls.name:
            return dict(cls.labels)
        if column in cls.extra_labels:
            return dict(cls.extra_labels[column])
    return {}


def label(column: str, code, lang: str) -> str:
    """One code as words in ``lang`` (the code itself when unknown)."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    pair = code_labels(column).get(str(code))
    if pair is None:
        return str(code)
    return pair[1] if lang == "zh" else pair[0]


def label_columns() -> list[str]:
    cols = []
    for cls in registry().values():
        cols.append(cls.name)
        cols.extend(cls.extra_labels)
    return cols


def segmenter_title(name: str, lang: str) -> str:
    cls = registry().get(name)
    if cls is None:
        return name
    return (cls.title_zh or cls.title) if lang == "zh" else cls.title
