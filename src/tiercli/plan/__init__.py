"""Email planning and the market calendar (seeds 001 and 002).

``emails.plan_emails`` spends a month's marketing-email quota; ``markets.market_calendar`` finds each
calendar month's lead countries; ``contact_log.append_contacts`` records sends without losing or doubling rows.
"""
