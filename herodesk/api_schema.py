"""Schemas shared by every API router: the one error format."""

from __future__ import annotations

from ninja import Schema


class ErrorDetail(Schema):
    status: int
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorDetail


READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# 400: a body that is not a JSON object (or not JSON at all).
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}
