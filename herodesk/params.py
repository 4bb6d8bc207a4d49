"""Numbers from query strings, checked at the edge: out of range or not a number is a 400, never a 500.

Databases store ids as signed 64-bit integers; a bigger number crashes SQLite ("Python int too large")
and PostgreSQL alike, so every number a client sends is bounded before it reaches a query.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import QueryDict

MAX_ID = 2**63 - 1
MAX_PAGE = 10_000


def bounded_int(raw: str | None, *, name: str, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """``raw`` as an int in [minimum, maximum]; None when absent or empty; BadRequest otherwise."""
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    # Checked before int(): int() of a very long digit string is slow, and its size says enough.
    digits = value.removeprefix("-")
    if len(value) > 20 or not (digits.isascii() and digits.isdigit()):
        raise BadRequest(f"{name} must be a whole number")
    number = int(value)
    if not minimum <= number <= maximum:
        raise BadRequest(f"{name} must be between {minimum} and {maximum}")
    return number


def query_int(
    params: QueryDict, name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID
) -> int | None:
    """A number from the query string, e.g. ``query_int(request.GET, "owner")``."""
    number = bounded_int(params.get(name), name=name, minimum=minimum, maximum=maximum)
    return default if number is None else number
