"""Text normalisation and the BM25 tokenizer (Snowball stemmer), shared by index and query."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SPACE = re.compile(r"\s+")

# Function words that carry no topic. Negations and "no"/"not" stay out of BM25 only;
# the clinician check reads them from the raw text.
STOPWORDS = frozenset("""
a about above after again all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he
her here hers him his how i if in into is it its itself just me more most my myself no nor not now of
off on once only or other our ours out over own same she should so some such than that the their them
then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself s t don doesn isn aren wasn weren won
i'm it's what's can't don't doesn't isn't i've i'd i'll you're anyone anything someone something
really please tell know thing things get got go going also much many lot
im ive youre theyre isnt arent wasnt werent dont doesnt didnt cant couldnt wont wouldnt
shouldnt hasnt havent hadnt thats whats theres
""".split())


@lru_cache(maxsize=2048)
def normalize(text: str) -> str:
    """NFKC, control and format characters removed, whitespace collapsed. Never cut: the engine
    refuses text over its limit (settings.max_question_chars), so triage always sees all of it."""
    if text.isascii() and text.isprintable():
        return _SPACE.sub(" ", text).strip()
    text = unicodedata.normalize("NFKC", text)
    # Control characters become spaces; invisible format characters (zero-width, bidi), lone
    # surrogates and private-use characters vanish, so "keta\u200bmine" stays one word.
    text = "".join(" " if unicodedata.category(ch) == "Cc" and ch not in "\t\n" else ch
                   for ch in text if unicodedata.category(ch) not in ("Cf", "Cs", "Co", "Cn"))
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Lower case without accents: the form used for matching words."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lower-case word tokens, apostrophes kept inside words."""
    return _WORD.findall(fold(text))


def tokenize(text: str) -> list[str]:
    """BM25 tokens: words without stopwords, Snowball-stemmed."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS]


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word.split("'")[0])
