"""Which words the knowledge base knows, and which of a question's words are rare and unknown.

A word is known when a snippet, lexicon entry or scope list uses it (after stemming, allowing
for a typo). Rarity comes from the embedding model's own WordPiece vocabulary: common English
words are whole tokens in it, while rare topic words (tinnitus, naltrexone) are split into pieces.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from bot.knowledge.load import Knowledge
from bot.text import STOPWORDS, tokenize, words

MIN_LENGTH = 4  # shorter lower-case words are too often abbreviations or noise to judge
ACRONYM = re.compile(r"\b[A-Z]{3,5}\b")
# A kind of doctor or field ("rheumatologist", "physiatrist", "physician"): who is asking, not what.
SPECIALIST = re.compile(r"(olog(ist|y)|iatrist|ician|pedist|apist)s?$")
TYPO_CUTOFF = 0.85
UNKNOWN_CACHE = 50_000  # words remembered per process (a few MB at most)


class KnownWords:
    def __init__(self, knowledge: Knowledge, common_words: set[str] | None = None,
                 known_stems: Iterable[str] | None = None):
        """`known_stems`: the index's BM25 vocabulary, which saves stemming every snippet again."""
        scope = knowledge.scope
        lexicon = [f"{term} {' '.join(targets)}" for term, targets in knowledge.lexicon.expansions]
        scoped = list(scope.domain_terms) + list(scope.covered_targets) + list(scope.known_words)
        texts = [s.search_text() for s in knowledge.snippets] + lexicon + scoped
        self.surface = {w for text in texts for w in words(text)}
        if known_stems is None:
            self.stems = {t for text in texts for t in tokenize(text)}
        else:
            self.stems = set(known_stems) | {t for text in lexicon + scoped for t in tokenize(text)}
        by_length: dict[int, list[str]] = {}
        for known in sorted(w for w in self.surface if len(w) >= MIN_LENGTH):
            by_length.setdefault(len(known), []).append(known)
        self._by_length = {n: tuple(ws) for n, ws in by_length.items()}
        self._letters = {known: frozenset(known) for group in self._by_length.values() for known in group}
        self._cache: dict[str, bool] = {}  # word -> unknown? (the typo search is the slow part)
        self.common = common_words

    def rare_terms(self, text: str, folded_words: Iterable[str]) -> tuple[str, ...]:
        """Rare words in the question that nothing in the knowledge base knows (tinnitus)."""
        if self.common is None:
            return ()  # without a rarity signal every unusual word would look like a new topic
        found = [w for w in folded_words if len(w) >= MIN_LENGTH and w not in self.common and self.unknown(w)]
        found += [a.lower() for a in ACRONYM.findall(text) if re.search(r"[a-z]", text)
                  and a.lower() not in found and self.unknown(a.lower())]
        return tuple(found)

    def unknown(self, word: str) -> bool:
        known = self._cache.get(word)
        if known is None:
            known = self._is_unknown(word)
            if len(self._cache) < UNKNOWN_CACHE:
                self._cache[word] = known
        return known

    def _is_unknown(self, word: str) -> bool:
        if "'" in word or word in STOPWORDS or word in self.surface or word.isdigit() or SPECIALIST.search(word):
            return False
        stems = tokenize(word)
        if not stems or stems[0] in self.stems:
            return False
        return not self._typo_of_known(word)

    def _typo_of_known(self, word: str) -> bool:
        """One slip (two in long words) away from a word we know: a letter added, lost, changed
        or two swapped ("pian", "fibromyalga")."""
        limit = 1 if len(word) < 8 else 2
        candidates = self._by_length.get(len(word), ()) + self._by_length.get(len(word) - 1, ()) + \
            self._by_length.get(len(word) + 1, ())
        letters = frozenset(word)
        # each slip adds or removes at most two distinct letters: a cheap test before the real distance
        if any(len(letters ^ self._letters[known]) <= 2 * limit and slips(word, known, limit) <= limit
               for known in candidates):
            return True
        # difflib's ratio is at most 2*min(n, m)/(n + m), so words of other lengths can never reach the
        # cutoff: compare with the possible lengths only (same answer, a tenth of the work).
        n = len(word)
        near = [known for m in range(max(1, int(n * 0.7)), int(n / 0.7) + 2)
                if 2 * min(n, m) / (n + m) >= TYPO_CUTOFF for known in self._by_length.get(m, ())]
        return bool(difflib.get_close_matches(word, near, n=1, cutoff=TYPO_CUTOFF))


def slips(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (edits plus swaps of neighbours), stopping past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def wordpiece_vocabulary(tokenizer_file: Path | None) -> set[str] | None:
    """Whole-word entries of a WordPiece vocabulary: a list of common English words."""
    if tokenizer_file is None:
        return None
    try:
        from tokenizers import Tokenizer

        vocab = Tokenizer.from_file(str(tokenizer_file)).get_vocab()
    except Exception:  # noqa: BLE001 - any failure just means "no rarity signal"
        return None
    return {w for w in vocab if w.isalpha() and not w.startswith("##")}
