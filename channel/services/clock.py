"""Today as the business sees it: the Asia/Shanghai calendar date.

Orders, returns and ledger periods carry Asia/Shanghai dates (models/__init__.py), while the
server's clock may run in UTC: between 00:00 and 08:00 in Beijing `date.today()` on such a
server is still yesterday (on the 1st, last month). Every "this month", "last month" and
"today" default a user sees comes from here.
"""
from __future__ import annotations

from datetime import date

import models
from channel.domain.selling_kpi import shanghai_day


def business_today() -> date:
    """Today's Asia/Shanghai calendar date."""
    return shanghai_day(models.utcnow())
