"""The kiosk's post/redirect/get without JavaScript: a one-time, encrypted hand-off of the questions.

A kiosk form POST must not leave a page that Reload or Back can bring back, so it answers with a
303 redirect to /kiosk/answer/<token>, and that GET shows the answer once. The questions travel
from the POST to the GET (which gunicorn may give to another worker) through one SQLite row:

- the row holds only ciphertext: the questions XORed with a SHAKE-256 key stream of the token;
- the token (random, 24 bytes) is in the URL and nowhere on the server; the row's key is a hash of it;
- the GET deletes the row as it reads it (once only), and rows are dropped after `ttl` seconds;
- `secure_delete` overwrites deleted rows in the file.

So the URL holds nothing of a question, the server's disk never holds a question in clear, and a
second visit to the URL (Reload, Back, another person) finds nothing. With BOT_REDIS_URL set (several
machines behind one address) the ciphertext goes through Redis instead, with the same properties
(`SharedHandOff`), so the GET may land on another machine than the POST.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOKEN_BYTES = 24
DEFAULT_TTL = 60.0  # seconds: the redirect is followed at once; a stale row is only a failed visit


class HandOff:
    def __init__(self, path: Path | str, ttl: float = DEFAULT_TTL):
        self.path = Path(path)
        self.ttl = ttl
        self._ready = False  # the folder and table exist (made on first use)

    def put(self, questions: list[str]) -> str:
        """Keep `questions` for one read; returns the token for the URL."""
        token = secrets.token_bytes(TOKEN_BYTES)
        plain = json.dumps(questions).encode()
        with self._connect() as db:
            db.execute("DELETE FROM handoff WHERE expires < ?", (time.time(),))
            db.execute("INSERT INTO handoff (id, expires, data) VALUES (?, ?, ?)",
                       (_row_id(token), time.time() + self.ttl, _xor(plain, token)))
        return _encode(token)

    def take(self, token_text: str) -> list[str] | None:
        """The questions, once: None for an unknown, used, expired or malformed token."""
        token = _decode(token_text)
        if token is None:
            return None
        with self._connect() as db:
            row = db.execute("DELETE FROM handoff WHERE id = ? RETURNING expires, data", (_row_id(token),)).fetchone()
        if row is None or row[0] < time.time():
            return None
        return _questions(row[1], token)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One short transaction on a fresh connection (safe across threads and processes)."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA secure_delete = ON")
            if not self._ready:
                db.execute("CREATE TABLE IF NOT EXISTS handoff (id TEXT PRIMARY KEY, expires REAL NOT NULL, "
                           "data BLOB NOT NULL)")
                self._ready = True
            with db:  # commits, or rolls back on an error
                yield db
        finally:
            db.close()


class SharedHandOff:
    """The same one-time hand-off through Redis (BOT_REDIS_URL), so the POST and the GET it redirects
    to may be answered by different machines. Redis holds only the ciphertext, under a hash of the
    token, for at most `ttl` seconds (it expires by itself) and gives it out once (GETDEL). When Redis
    cannot be reached, this machine's SQLite file is used instead (and read back if the GET lands here)."""

    KEY = "bot:handoff:"

    def __init__(self, url: str, local: HandOff):
        import redis  # the client, only where Redis is configured

        self.url, self.local, self.ttl = url, local, local.ttl
        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def put(self, questions: list[str]) -> str:
        token = secrets.token_bytes(TOKEN_BYTES)
        try:
            self.client.set(self.KEY + _row_id(token), _xor(json.dumps(questions).encode(), token),
                            px=max(1, int(self.ttl * 1000)))
        except self.errors:
            return self.local.put(questions)
        return _encode(token)

    def take(self, token_text: str) -> list[str] | None:
        token = _decode(token_text)
        if token is None:
            return None
        try:
            blob = self.client.getdel(self.KEY + _row_id(token))
        except self.errors:
            blob = None
        return _questions(blob, token) if blob is not None else self.local.take(token_text)


def open_handoff(path: Path | str, redis_url: str = "", ttl: float = DEFAULT_TTL) -> HandOff | SharedHandOff:
    """Through Redis when BOT_REDIS_URL is set (several machines), else this machine's SQLite file."""
    local = HandOff(path, ttl)
    return SharedHandOff(redis_url, local) if redis_url else local


def _encode(token: bytes) -> str:
    return base64.urlsafe_b64encode(token).decode().rstrip("=")


def _questions(blob: bytes, token: bytes) -> list[str] | None:
    try:
        questions = json.loads(_xor(blob, token))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        return None
    return questions


def _row_id(token: bytes) -> str:
    return hashlib.sha256(b"handoff-row:" + token).hexdigest()


def _xor(data: bytes, token: bytes) -> bytes:
    stream = hashlib.shake_256(b"handoff-key:" + token).digest(len(data))
    return bytes(a ^ b for a, b in zip(data, stream, strict=True))


def _decode(text: str) -> bytes | None:
    if not isinstance(text, str) or len(text) != 32:
        return None
    try:
        token = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return token if len(token) == TOKEN_BYTES else None
