"""Pasted text to sentences: tags stripped, entities decoded, split into sentences and bullet items;
and whether a sentence is English at all (the check reads English only)."""

from __future__ import annotations

import re

import nh3

from bot.text import STOPWORDS, normalize, words

MAX_CHARS = 8000
MAX_SENTENCES = 150  # a handout of 8,000 characters has about 60-100 sentences

SENTENCE_END = re.compile(r"(?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\bvs\.)(?<!\be\.g\.)"
                          r"(?<!\bi\.e\.)(?<!\bet al\.)(?<=[.!?])\s+(?=[\"'(\u201c]?[A-Z0-9])|\n+|\s+[-*\u2022]\s+")
# Function words of the languages clinicians are most likely to paste instead of English.
FOREIGN_FUNCTION_WORDS = frozenset("""
el la los las del al es son una uno por para con sin pero como que muy est sont une des les du au
avec sans mais pour dans sur qui der die das und ist nicht mit ein eine für auf ich sie wir
il lo gli della per non che sono em os uma não com mais mas é são ao
""".split())


def clean(text: str) -> str:
    """Plain text from pasted input: tags stripped, entities decoded, whitespace tidied (lines kept)."""
    stripped = nh3.clean(text, tags=set())
    stripped = stripped.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    lines = [normalize(line) for line in stripped.splitlines()]
    return "\n".join(line for line in lines if line)


def split(text: str) -> list[str]:
    """Sentences and bullet items, each checked on its own."""
    parts = [p.strip(" -*\u2022\t") for p in SENTENCE_END.split(clean(text))]
    return [p for p in parts if len(words(p)) >= 2]


def looks_english(text: str) -> bool:
    """False for text in another language or script."""
    letters = [ch for ch in text if ch.isalpha()]
    if letters and sum(1 for ch in letters if ch.isascii()) / len(letters) < 0.6:
        return False
    tokens = re.findall(r"[^\W\d_]+", text.lower())
    foreign = sum(1 for t in tokens if t in FOREIGN_FUNCTION_WORDS)
    english = sum(1 for t in tokens if t in STOPWORDS)
    return not (foreign >= 2 and foreign > english)
