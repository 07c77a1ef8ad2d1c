"""The weeks of the agreement per week: a compared document falls in the ISO
week (UTC) of its latest submission, when it became comparable."""

from __future__ import annotations

from datetime import date, datetime


def week_of(moment: datetime) -> str:
    """The ISO week of a moment (UTC), as ``2026-W09``: the period of the
    agreement per week (a document falls in the week of its latest
    submission, when it became comparable)."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week written as :func:`week_of` writes it."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)
