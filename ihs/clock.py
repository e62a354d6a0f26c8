"""Today's date and time, overridable with IHS_TODAY so demos and tests are reproducible."""

from __future__ import annotations

import os
from datetime import date, datetime, time


def today() -> date:
    value = os.environ.get("IHS_TODAY")
    if value:
        return date.fromisoformat(value)
    return date.today()


def now() -> datetime:
    """The current time, on IHS_TODAY's date when that is set."""
    current = datetime.now()
    if os.environ.get("IHS_TODAY"):
        return datetime.combine(today(), time(current.hour, current.minute, current.second))
    return current
