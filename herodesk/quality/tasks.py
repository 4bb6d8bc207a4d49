"""Background jobs of the quality app: the weekly digest email per agent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day_of_week="1", hour="7", minute="0"), retries=2, retry_delay=300)
def send_weekly_digests() -> int:
    """Mondays 07:00 UTC: last week's digest to every agent of a team that has it on; a rerun sends only
    the ones not sent yet."""
    from herodesk.quality import actions

    return actions.send_weekly_digests()
