"""The session engine: Django's cached database sessions, with only a hash of each session key stored.

Django's own ``db``/``cached_db`` engines keep the session key, which is what the browser's cookie holds, as
the row's primary key in ``django_session``: anyone who reads the database (a backup, a copy of the file)
could take over every live session. Here the row's key is ``sha256("herodesk-session:" + key)``, cut to the
column's 40 characters (160 bits), and the cache key is derived from that hash too. The cookie's key is
never stored. A stored hash presented as a cookie is hashed again and finds nothing.

Everything else is Django's: expiry, ``clearsessions`` (rows are deleted by their expiry date), logging
out (the row is deleted), a new key at login, and the session-auth hash that logs out other sessions when
a password changes. Sessions from before this engine (plain keys) are not found: everyone logs in once.
"""

from __future__ import annotations

import hashlib
from typing import Any

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.utils import timezone

PREFIX = "herodesk-session:"


def hash_session_key(session_key: str) -> str:
    return hashlib.sha256((PREFIX + session_key).encode("utf-8")).hexdigest()[:40]


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "herodesk.sessions.hashed"

    @property
    def cache_key(self) -> str:
        key = self._get_or_create_session_key()  # type: ignore[attr-defined]
        return self.cache_key_prefix + hash_session_key(key)

    def _get_session_from_db(self) -> Any:
        key = self.session_key
        if key is None:
            return None
        found = self.model.objects.filter(
            session_key=hash_session_key(key), expire_date__gt=timezone.now()
        ).first()
        if found is None:
            self._session_key = None
        return found

    def exists(self, session_key: str | None) -> bool:
        if not session_key:
            return False
        hashed = hash_session_key(session_key)
        if (self.cache_key_prefix + hashed) in self._cache:  # type: ignore[attr-defined]
            return True
        return self.model.objects.filter(session_key=hashed).exists()

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        row = super().create_model_instance(data)
        row.session_key = hash_session_key(row.session_key)
        return row

    def delete(self, session_key: str | None = None) -> None:
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        hashed = hash_session_key(session_key)
        DatabaseStore.delete(self, hashed)  # the row whose key is the hash
        self._cache.delete(self.cache_key_prefix + hashed)  # type: ignore[attr-defined]

    # The desk runs under WSGI; the async variants go through the same code so no path stores a plain key.
    async def aexists(self, session_key: str | None) -> bool:
        return await sync_to_async(self.exists)(session_key)

    async def aload(self) -> dict[str, Any]:
        return await sync_to_async(self.load)()

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        await sync_to_async(self.delete)(session_key)
