"""Hostile input, and a check that a page shows it only as text (no markup of its own survives)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from bot.answer.render import ALLOWED_TAGS

MARK = "xss-7734"  # every payload carries it, so a test can find where the input was shown
PAYLOADS = (
    f"<script>window.__xss='{MARK}'</script> ketamine",
    f'<img src=x onerror="window.__xss=\'{MARK}\'"> fibro',
    f'"><svg onload=window.__xss=1>{MARK}',
    f"</textarea><script>window.__xss=1</script>{MARK}",
    f"'\"><iframe srcdoc='<script>parent.__xss=1</script>'></iframe>{MARK}",
    f"[click me {MARK}](javascript:window.__xss=1) ketamine",
    f"![{MARK}](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+) side effects",
    f"data:text/html,<script>window.__xss=1</script> {MARK}",
    f"<a href=\"javascript:window.__xss=1\">{MARK}</a> bladder",
    f"{{{{7*7}}}} {{% print {MARK} %}} ketamine",
    f"<style>*{{display:none}}</style><b>{MARK}</b> **bold** _em_ <!-- c -->",
    f"{MARK}-" + "a" * 1500,  # one very long word
    f"\u202e{MARK} \u200bketa\u200bmine\x00\x07 <script>",
)

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
# Every tag our templates write, the sanitiser's tags for answers, the QR codes' and the evidence chart's SVG.
ALLOWED = {m.lower() for p in TEMPLATES.glob("*.html") for m in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", p.read_text())}
ALLOWED |= set(ALLOWED_TAGS) | {"svg", "g", "path", "rect", "text", "title"}
OWN_SCRIPTS = ("/static/js/app.js", "/static/js/answer-actions.js")
URL_ATTRS = {"href", "src", "action", "formaction", "srcdoc", "data", "xlink:href"}
BAD_SCHEMES = re.compile(r"^\s*(javascript|data|vbscript):", re.I)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED:
            self.problems.append(f"unexpected <{tag}>")
        if tag == "script" and dict(attrs).get("src") not in OWN_SCRIPTS:
            self.problems.append(f"script other than {OWN_SCRIPTS}: {attrs}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= on <{tag}>")
            if name == "style":
                self.problems.append(f"inline style on <{tag}>")
            if name in URL_ATTRS and value and BAD_SCHEMES.match(value):
                self.problems.append(f"{name}={value[:40]!r} on <{tag}>")

    handle_startendtag = handle_starttag


def markup_problems(html: str) -> list[str]:
    """What in `html` is not our own markup: foreign tags, handlers, scripts, script URLs."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.problems
