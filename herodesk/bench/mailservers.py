"""Real mail servers for tests and the intake benchmark: a throwaway Dovecot IMAP server and an SMTP sink.

Dovecot runs unprivileged-config from a temp dir (own base_dir, state_dir, passwd-file users, maildir),
on a free localhost port. As root it drops to the ``dovecot``/``dovenull`` users and stores mail as
``nobody``; as anyone else it runs as that user.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER = "desk"
PASSWORD = "desk-imap-secret"  # noqa: S105 - a throwaway test server on localhost


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accounts() -> tuple[str, str, int, int]:
    """(login user, internal user, mail uid, mail gid) for the dovecot config."""
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        return "dovenull", "dovecot", nobody.pw_uid, nobody.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, me.pw_name, me.pw_uid, me.pw_gid


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class DovecotServer:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    user: str = USER
    password: str = PASSWORD
    host: str = "127.0.0.1"

    @property
    def maildir(self) -> Path:
        return self.root / "mail" / self.user

    def start(self) -> DovecotServer:
        login_user, internal_user, uid, gid = _accounts()
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chown(self.root / "mail", uid, gid)
        self.root.chmod(0o755)
        (self.root / "users").write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n", encoding="utf-8")
        config = CONFIG.format(
            root=self.root,
            port=self.port,
            login_user=login_user,
            internal_user=internal_user,
            uid=uid,
            gid=gid,
        )
        (self.root / "dovecot.conf").write_text(config, encoding="utf-8")
        # Dovecot's auth and login processes run as other users; the desk's umask (077) would hide these.
        for sub in ("run", "state"):
            (self.root / sub).chmod(0o755)
        for name in ("users", "dovecot.conf"):
            (self.root / name).chmod(0o644)
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._wait_until_listening()
        return self

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"dovecot exited: {error or self.log()}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(encoding="utf-8", errors="replace")[-2000:] if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4(self.host, self.port, timeout=30)
        connection.login(self.user, self.password)
        return connection

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            status, data = connection.append(folder, None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND failed: {data}")
        finally:
            connection.logout()

    def append_many(self, mails: list[bytes], folder: str = "INBOX") -> None:
        connection = self.connect()
        try:
            for raw in mails:
                status, data = connection.append(folder, None, None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND failed: {data}")
        finally:
            connection.logout()

    def uids(self, folder: str = "INBOX") -> list[int]:
        connection = self.connect()
        try:
            connection.select(folder, readonly=True)
            _, data = connection.uid("SEARCH", "ALL")
            return [int(uid) for uid in (data[0] or b"").split()]
        finally:
            connection.logout()

    def clear(self) -> None:
        """Empty every folder (between tests): delete the maildir; dovecot recreates it."""
        shutil.rmtree(self.maildir, ignore_errors=True)


def start_dovecot(root: Path | None = None) -> DovecotServer:
    root = root or Path(tempfile.mkdtemp(prefix="herodesk-dovecot-"))
    return DovecotServer(root=root, port=free_port()).start()


@dataclass
class SmtpSink:
    """An aiosmtpd server on a free port that keeps every message it receives."""

    port: int = 0
    messages: list[bytes] = field(default_factory=list)
    controller: object = None

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(envelope.original_content or envelope.content)  # type: ignore[attr-defined]
        return "250 OK"

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        controller = Controller(self, hostname="127.0.0.1", port=self.port)
        controller.start()
        self.controller = controller
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()  # type: ignore[attr-defined]
