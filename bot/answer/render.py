"""Rendering: numbered citations with their design in plain words, and Markdown turned into
sanitised HTML with citation marks linked to the sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import markdown as md
import nh3

from bot.knowledge.models import Source

ALLOWED_TAGS = {"p", "a", "ul", "ol", "li", "strong", "em", "sup", "br"}
CITE_MARK = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Citation:
    n: int
    source: Source
    described: str  # the design in plain words, e.g. "a review of 67 studies with 2,309 people"

    def to_json(self) -> dict:
        s = self.source
        return {"n": self.n, "source_id": s.id, "title": s.title, "url": s.url, "doi": s.doi,
                "year": s.year, "design": s.design}


def describe(source: Source) -> str:
    """The source's design in plain words."""
    people = f" with {source.participants:,} people" if source.participants else ""
    if source.design in ("systematic-review", "meta-analysis"):
        count = f"{source.studies} studies" if source.studies else "studies"
        return f"a review of {count}{people}"
    return {
        "rct": f"a randomised trial{people}",
        "observational": f"an observational study{people}",
        "guideline": "expert guidelines",
        "regulatory": "an official drug label or regulator's notice",
        "expert-opinion": "expert opinion",
        "news": "a news report",
    }[source.design]


def render_html(markdown_text: str, html_id: str) -> str:
    """Markdown -> HTML with citation markers linked to the numbered sources, then sanitised."""
    html = md.markdown(markdown_text, output_format="html")
    html = CITE_MARK.sub(lambda m: f'<sup><a href="#{html_id}-src-{m.group(1)}">[{m.group(1)}]</a></sup>', html)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"https", "http", "tel", "sms"}, link_rel=None)




@lru_cache(maxsize=4096)
def render_block(block: str, html_id: str) -> str:
    return render_html(block, html_id)
