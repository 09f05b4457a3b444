"""Email planning and the market calendar (seeds 001 and 002).

``emails.plan_emails`` spends a month's marketing-email quota, in steps kept by concern: ``schedule`` (the
month's send days and the ``Month`` every step shares), ``recipients`` (the contact log, who is left out, the
priority order), ``recommend`` (the products) and ``wording`` (what each email and list says, in ``words``'
vocabulary).  ``markets.market_calendar`` finds each calendar month's lead countries; ``calendar`` is the
campaign calendar; ``contact_log.append_contacts`` records sends without losing or doubling rows; ``output``
lays the results out as sheets and JSON.
"""
