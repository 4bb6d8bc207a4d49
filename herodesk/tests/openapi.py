"""Validate real API responses against the generated OpenAPI document (as Zulip does)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

import jsonschema
from django.test import Client


@lru_cache(maxsize=1)
def _document_text() -> str:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.content.decode()


def document() -> dict[str, Any]:
    return json.loads(_document_text())


def _match_path(doc: dict[str, Any], path: str) -> str:
    path = path.split("?")[0].removeprefix("/api/v1")
    for template in doc["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template.removeprefix("/api/v1")) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def assert_matches_schema(method: str, path: str, response) -> None:
    """The response's status is documented and its JSON body validates against the documented schema."""
    doc = document()
    operation = doc["paths"][_match_path(doc, path)][method.lower()]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, f"{method} {path} returned undocumented status {response.status_code}"
    content = documented.get("content", {}).get("application/json")
    if content is None:
        return
    schema = {**content["schema"], "components": doc.get("components", {})}
    jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator)
