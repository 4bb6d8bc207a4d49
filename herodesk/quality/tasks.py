"""Background jobs of the quality app: the weekly digest email per agent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="5"), retries=2, retry_delay=300)
def send_weekly_digests() -> int:
    """Hourly: where it is Monday 07:00 or later in a team's time zone, last week's digest to each of its
    agents (if the team has it on); an agent already sent this week's is skipped, so reruns send nothing."""
    from herodesk.quality import actions

    return actions.send_weekly_digests()
