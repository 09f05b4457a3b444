"""Display words of the email plan and the market calendar: stable codes -> English / Chinese.

CSV and JSON carry the codes (``win_back``, ``no_consent``); workbooks and the terminal show the words.
"""

from __future__ import annotations

PURPOSES = {
    "satisfaction_survey": ("Satisfaction survey", "满意度调查"),
    "new_arrivals": ("New arrivals", "新品上架"),
    "promotion": ("Promotion", "促销活动"),
    "win_back": ("Win-back (new arrivals, ask why)", "老客召回(新品+了解流失原因)"),
    "upgrade_coupon": ("Upgrade coupon", "升级优惠券"),
    "warm_lead": ("Warm inquiry / sample follow-up", "意向询盘/样品客户跟进"),
    "regular": ("Regular email", "日常营销"),
    "stock_up": ("Stock up before we close", "放假前备货提醒"),
}

REASONS = {
    "blacklisted": ("Blacklisted", "黑名单"),
    "suppressed": ("Unsubscribed (suppression file)", "已退订(退订名单)"),
    "no_consent": ("No marketing consent", "未同意接收营销邮件"),
    "consent_unknown": ("Consent unknown (plan.require_opt_in)", "未知是否同意(plan.require_opt_in)"),
    "no_email": ("No email address", "无邮箱"),
    "cap_reached": ("Monthly cap already reached (contact log)", "本月已达发送上限(联系记录)"),
    "seller_closed": ("No send day: the seller is closed", "无发送日:卖家放假"),
    "cooldown": ("Contacted too recently (cooldown)", "近期已联系(冷却期内)"),
    "over_quota": ("Quota used up by higher priorities", "配额已被更高优先级用完"),
}

TIERS = {
    "key": ("Key", "关键客户"), "ordinary": ("Ordinary", "普通客户"), "small": ("Small", "小客户"),
    "potential": ("Potential", "潜在客户"), "blacklisted": ("Blacklisted", "黑名单"),
}

HEADERS = {
    "send_date": ("Send date", "发送日期"), "week": ("Week", "周次"), "customer_id": ("Customer ID", "客户ID"),
    "email": ("Email", "邮箱"), "name": ("Name", "名称"), "country": ("Country", "国家"),
    "country_code": ("Country code", "国家代码"), "language": ("Language", "语言"), "tier": ("Tier", "客户分级"),
    "purpose": ("Purpose", "邮件目的"), "template": ("Template", "模板"), "coupon": ("Coupon", "优惠券"),
    "theme": ("Campaign theme", "营销主题"), "local_holidays": ("Local holidays this month", "当地本月节假日"),
    "recommended": ("Recommended products", "推荐产品"), "reason": ("Reason", "原因"),
    "priority": ("Priority", "优先级"), "tier_score": ("Tier score", "贡献度评分"), "campaign": ("Campaign", "活动"),
    "nth": ("Email of the month", "本月第几封"), "code": ("Code", "代码"), "label": ("Label", "说明"),
    "customers": ("Customers", "客户数"), "emails": ("Emails", "邮件数"), "share": ("Share of quota", "占配额比例"),
    "buyer_type": ("Buyer type", "买家类型"), "accepts_marketing": ("Accepts marketing", "接收营销邮件"),
    "orders": ("Orders", "订单数"), "first_order": ("First order", "首单时间"), "last_order": ("Last order", "最近下单"),
    "recency_days": ("Days since last order", "距上次下单天数"), "monetary": ("Net value", "净消费额"),
    "aov": ("Average order value", "客单价"), "median_gap_days": ("Median days between orders", "下单间隔中位数"),
    "next_order_due": ("Next order due", "预计下次下单"), "top_products": ("Top products", "主要产品"),
    "last_order_summary": ("Last order", "最近一单"), "history": ("History summary", "历史摘要"),
    "action": ("Suggested action", "建议跟进"), "date": ("Date", "日期"), "holiday": ("Holiday", "节日"),
    "kind": ("Kind", "类型"), "recipients": ("Recipients", "收件人数"), "company": ("Company", "公司"),
    "month": ("Month", "月份"), "month_name": ("Month", "月份"), "rank": ("Rank", "排名"),
    "country_name": ("Country", "国家"), "customer_share": ("Share of customers", "客户占比"),
    "gmv": ("GMV", "成交额"), "gmv_share": ("Share of GMV", "成交额占比"), "score": ("Score", "综合得分"),
    "years": ("Years", "年份"), "ranked": ("Ranked", "参与排名"), "lead_1": ("1st market", "第一市场"), "lead_2": ("2nd market", "第二市场"),
    "lead_3": ("3rd market", "第三市场"), "item": ("Item", "商品"), "product": ("Product", "产品"),
    "sku": ("SKU", "商品编码"), "category": ("Category", "分类"), "price": ("Price", "价格"),
    "usual_price": ("Usual unit price", "常购单价"), "relevance": ("Relevance", "相关度"),
    "total": ("Total", "合计"), "end": ("Until", "截止"), "moved": ("Moved", "改期"), "detail": ("Detail", "说明"), "item_name": ("Item", "项目"), "value": ("Value", "数值"),
}


def word(table: dict, code, lang: str) -> str:
    """The display word of ``code`` in ``lang`` (the code itself when unknown)."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    pair = table.get(str(code))
    if pair is None:
        return str(code)
    return pair[1] if lang == "zh" else pair[0]


def head(column: str, lang: str) -> str:
    return word(HEADERS, column, lang)
