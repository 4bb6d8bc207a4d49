"""A job with no side effects, for the test that sends one job through Redis to a real worker."""

from __future__ import annotations

from huey.contrib.djhuey import task


@task()
def ping(value: str) -> str:
    return value
