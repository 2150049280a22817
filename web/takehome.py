"""The take-home page: snippets named by id, with their citations, for a phone, a printer or a share.

`/take-home?s=<snippet ids>&v=<knowledge version>` holds snippet ids and the version only, never a
question. Unknown ids are left out and said so; a link made from an earlier version of the
knowledge shows today's version of the same snippets and says so; a malformed link gets a clear
400 page. Nothing here can be a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from bot.answer.render import Citation, describe, render_html
from bot.knowledge.load import Knowledge, Snippet

MAX_IDS = 10
VERSION_CHARS = 12  # enough to tell versions apart, short enough for a small QR code
HTML_ID = "th"  # citation markers link to #th-src-{n}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VERSION = re.compile(r"^[0-9a-f]{1,64}$")


class BadTakeHome(Exception):
    """The link is malformed; the message is for people."""


@dataclass(frozen=True)
class Summary:
    snippet: Snippet
    html: Markup  # the body with its citation markers linked
    certainty_label: str
    certainty_text: str


@dataclass(frozen=True)
class TakeHome:
    summaries: tuple[Summary, ...]
    citations: tuple[Citation, ...]
    unknown: int  # ids in the link that are not in the evidence library (any more)
    outdated: bool  # the link was made from another version of the evidence

    @property
    def checked(self) -> dt.date | None:
        """The oldest date on which one of these snippets was checked."""
        return min((s.snippet.checked for s in self.summaries), default=None)


def knowledge_version(knowledge: Knowledge) -> str:
    return knowledge.content_hash[:VERSION_CHARS]


def take_home_path(knowledge: Knowledge, snippet_ids: Sequence[str]) -> str:
    return f"/take-home?s={','.join(snippet_ids)}&v={knowledge_version(knowledge)}"


def read_ids(raw: str | None) -> list[str]:
    ids = [part.strip() for part in (raw or "").split(",") if part.strip()]
    if not ids:
        raise BadTakeHome("This link names no summaries. Please scan the code again, or ask your question here.")
    if len(ids) > MAX_IDS or not all(len(i) <= 80 and _ID.match(i) for i in ids):
        raise BadTakeHome("This link is not one of ours, or it was cut short. Please scan the code again.")
    return list(dict.fromkeys(ids))


def take_home(knowledge: Knowledge, messages, raw_ids: str | None, version: str | None) -> TakeHome:
    ids = read_ids(raw_ids)
    if version is not None and not _VERSION.match(version):
        raise BadTakeHome("This link is not one of ours, or it was cut short. Please scan the code again.")
    snippets = [knowledge.snippets_by_id[i] for i in ids if i in knowledge.snippets_by_id]
    numbers: dict[str, int] = {}
    summaries = []
    for snippet in snippets:
        for source_id in snippet.sources:
            numbers.setdefault(source_id, len(numbers) + 1)
        markers = "".join(f"[{numbers[s]}]" for s in snippet.sources)
        summaries.append(Summary(
            snippet=snippet, html=Markup(render_html(f"{snippet.body} {markers}", HTML_ID)),
            certainty_label=messages["certainty_labels"][snippet.certainty],
            certainty_text=messages["certainty"][snippet.certainty]))
    citations = tuple(Citation(n, knowledge.source(sid), describe(knowledge.source(sid))) for sid, n in numbers.items())
    outdated = version is None or version != knowledge_version(knowledge)
    return TakeHome(tuple(summaries), citations, unknown=len(ids) - len(snippets), outdated=outdated)
