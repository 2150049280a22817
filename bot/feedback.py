"""'Was this helpful?' counts per snippet id and reply kind, for curators.

Only counts are kept: which snippets an answer showed, its reply kind, and yes or no. Never the
question, never anything about the person (no address, no time, no cookie). The store sits behind
a two-method interface (`FeedbackStore`): SQLite by default, Redis when BOT_REDIS_URL is set (one
count across workers and machines).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import BotError, InputError

NO_SNIPPET = ""  # the row for replies that showed no snippet (crisis, no evidence, ...)
MAX_SNIPPETS = 10
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")  # snippet ids and reply kinds: nothing else is stored


@dataclass(frozen=True)
class FeedbackCount:
    snippet_id: str  # "" for replies without snippets
    kind: str
    yes: int
    no: int

    @property
    def total(self) -> int:
        return self.yes + self.no


class FeedbackStore(Protocol):
    def record(self, snippet_ids: Sequence[str], kind: str, helpful: bool) -> None: ...

    def counts(self) -> list[FeedbackCount]: ...


class SQLiteFeedbackStore:
    """Counts in one SQLite file; safe across threads and processes (one short transaction each)."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def record(self, snippet_ids: Sequence[str], kind: str, helpful: bool) -> None:
        rows = checked_rows(snippet_ids, kind)
        column = "yes" if helpful else "no"
        with self._connect() as db, db:
            db.executemany(
                f"INSERT INTO feedback (snippet_id, kind, {column}) VALUES (?, ?, 1) "
                f"ON CONFLICT (snippet_id, kind) DO UPDATE SET {column} = {column} + 1", rows)

    def counts(self) -> list[FeedbackCount]:
        if not self.path.exists():
            return []
        with self._connect() as db:
            found = db.execute("SELECT snippet_id, kind, yes, no FROM feedback").fetchall()
        rows = [FeedbackCount(*row) for row in found]
        return sorted(rows, key=lambda r: (-r.total, -r.no, r.snippet_id, r.kind))

    def _connect(self) -> closing[sqlite3.Connection]:
        """A fresh connection (closed after use); `with db:` around writes commits them."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("CREATE TABLE IF NOT EXISTS feedback (snippet_id TEXT NOT NULL, kind TEXT NOT NULL, "
                       "yes INTEGER NOT NULL DEFAULT 0, no INTEGER NOT NULL DEFAULT 0, "
                       "PRIMARY KEY (snippet_id, kind))")
        except (OSError, sqlite3.Error) as exc:
            raise BotError(f"cannot open the feedback store {self.path}: {exc}") from None
        return closing(db)


def checked_rows(snippet_ids: Sequence[str], kind: str) -> list[tuple[str, str]]:
    """(snippet id, kind) pairs to count; InputError for anything that is not an id or a kind."""
    if not _ID.match(kind or ""):
        raise InputError("the reply kind must be a kind such as 'answer'")
    ids = list(dict.fromkeys(snippet_ids))
    if len(ids) > MAX_SNIPPETS or not all(_ID.match(i) for i in ids):
        raise InputError(f"snippet ids must be at most {MAX_SNIPPETS} ids such as 'fibro'")
    return [(i, kind) for i in ids] or [(NO_SNIPPET, kind)]


class RedisFeedbackStore:
    """Counts in one Redis hash, shared by every worker and machine (BOT_REDIS_URL). When Redis cannot
    be reached a vote goes to `fallback` (this machine's SQLite file) instead of failing, and `counts`
    adds both, so no vote is lost or counted twice."""

    KEY = "bot:feedback"

    def __init__(self, url: str, fallback: SQLiteFeedbackStore):
        import redis  # the client, only where Redis is configured

        self.url, self.fallback = url, fallback
        self.errors = (redis.RedisError, OSError)
        self.client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)

    def record(self, snippet_ids: Sequence[str], kind: str, helpful: bool) -> None:
        rows = checked_rows(snippet_ids, kind)
        column = "yes" if helpful else "no"
        try:
            pipe = self.client.pipeline(transaction=True)
            for snippet_id, row_kind in rows:
                pipe.hincrby(self.KEY, f"{snippet_id}\t{row_kind}\t{column}", 1)
            pipe.execute()
        except self.errors:
            self.fallback.record(snippet_ids, kind, helpful)

    def counts(self) -> list[FeedbackCount]:
        totals: dict[tuple[str, str], list[int]] = {}
        try:
            found = self.client.hgetall(self.KEY)
        except self.errors as exc:
            raise BotError(f"cannot read the feedback counts in Redis ({type(exc).__name__})") from None
        for field_name, value in found.items():
            snippet_id, kind, column = field_name.decode().split("\t")
            totals.setdefault((snippet_id, kind), [0, 0])[column == "no"] += int(value)
        for row in self.fallback.counts():
            pair = totals.setdefault((row.snippet_id, row.kind), [0, 0])
            pair[0] += row.yes
            pair[1] += row.no
        rows = [FeedbackCount(snippet_id, kind, yes, no) for (snippet_id, kind), (yes, no) in totals.items()]
        return sorted(rows, key=lambda r: (-r.total, -r.no, r.snippet_id, r.kind))


REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_feedback_store(location: str | Path, redis_url: str = "") -> FeedbackStore:
    """The SQLite file at `location` (settings.feedback_store: BOT_FEEDBACK_STORE, default
    var/feedback.sqlite3); or Redis when `location` is a Redis URL or `redis_url` (BOT_REDIS_URL) is
    set, the file then taking only the votes Redis could not."""
    from bot.settings import Settings

    if str(location).startswith(REDIS_SCHEMES):
        return RedisFeedbackStore(str(location), SQLiteFeedbackStore(Settings.model_fields["feedback_store"].default))
    if redis_url:
        return RedisFeedbackStore(redis_url, SQLiteFeedbackStore(location))
    return SQLiteFeedbackStore(location)


def format_counts(rows: Sequence[FeedbackCount]) -> str:
    """The counts as a table for curators: most answered first."""
    if not rows:
        return "no feedback yet"
    width = max(len("snippet"), *(len(r.snippet_id or "(no snippet)") for r in rows))
    lines = [f"{'snippet':<{width}}  {'kind':<16} {'yes':>5} {'no':>5}  helpful"]
    for r in rows:
        share = f"{100 * r.yes / r.total:.0f}%" if r.total else "-"
        lines.append(f"{r.snippet_id or '(no snippet)':<{width}}  {r.kind:<16} {r.yes:>5} {r.no:>5}  {share:>7}")
    return "\n".join(lines)
