"""Background jobs of the presence app."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def expire_presence() -> int:
    from herodesk.presence.actions import do_expire_presence

    return do_expire_presence()
