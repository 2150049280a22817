"""What a sentence claims, read with the rules of knowledge/claim_rules.yaml: for each clause, the
stance (a benefit, no benefit, an evidence gap, a harm, a harm denied...), how firmly it is said,
what it is about (medicines, route, conditions, outcomes) and which studies it names.

Language analysis only; bot/check/evidence.py finds what the snippets say about the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.check.context import Clause, Context, Lexicon, Tagged, stem
from bot.check.figures import NUMBER_WORDS, YEAR, claimed_share, figures, numbers, points_claimed
from bot.check.stance import comparison, denial, fact_concepts, stated_certainty
from bot.check.stance import stances as clause_stances
from bot.enums import Certainty
from bot.knowledge.check_rules import Concept, Cue, Stance, Strength
from bot.knowledge.load import Knowledge
from bot.search.question import QuestionParser
from bot.text import STOPWORDS, fold

ANY_USE = "*any"
GENERIC_USE = frozenset({"condit", "use", "indic", "purpos", "diseas", "ill", "kind", "type", "anyth", "treatment",
                         ANY_USE})
USE_ENDS = frozenset({"in", "by", "at", "since", "from", "with", "because", "to", ",", ";", ".", "when", "so",
                      "but", "which", "that", "is", "are", "it"})
TIME_WORDS = frozenset(stem(w) for w in "minute hour day week month year decade over".split())
FUNCTION_CUES = frozenset({Cue.NEGATION, Cue.HEDGE, Cue.REPORT, Cue.FREQUENCY, Cue.TERMINATE, Cue.SUBORDINATE,
                           Cue.ABSOLUTE, Cue.APPROXIMATOR, Cue.BOOSTER})
UPPER_BOUNDS = frozenset({"up to", "as many as", "at most", "no more than"})


@dataclass(frozen=True)
class Subject:
    """What a sentence is about; a sentence that names no medicine carries the one before it."""

    drugs: tuple[str, ...]
    named: bool  # the medicine is named here (or carried), not assumed
    route: str | None
    conditions: frozenset[str]


@dataclass(frozen=True)
class Claim:
    """One clause's reading."""

    text: str
    stance: Stance
    strength: Strength
    concept: Concept | None
    subject: Subject
    outcomes: frozenset[str]
    named: frozenset[str]  # source ids the sentence names ("Cochrane", "the 2022 meta-analysis")
    attributed: bool  # names a study, review or researchers
    share: float | None = None  # the share of patients claimed, 0..1
    at_most: bool = False  # the share is an upper bound ("up to 46%", "at most one in ten")
    points: float | None = None  # an effect size claimed in points on a pain scale
    absolute: bool = False
    interaction: bool = False  # about taking it with another medicine
    comparison: bool = False  # compared head to head with something other than a placebo
    acute: bool = False  # about pain during surgery or after an injury
    certainty: Certainty | None = None  # the certainty the sentence states
    stems: frozenset[str] = frozenset()  # content words, for statements of fact
    negated: frozenset[str] = frozenset()  # content words a negation reaches
    exclusive: bool = False  # approval "only for"
    use: frozenset[str] = frozenset()  # approval: what it is approved for
    denied: bool = False  # the concept or the statement is denied ("not approved", "no comparison group")
    concepts: frozenset[str] = frozenset()  # concepts of a statement of fact ("design"), with "!" when denied
    numbers: frozenset[str] = frozenset()  # figures a statement of fact gives ("67 trials", "one infusion")
    figures: tuple[tuple[float, frozenset[str]], ...] = ()  # each figure with the words beside it ("trial")
    qualifiers: frozenset[str] = frozenset()  # approval: what exactly is approved ("compounded nasal spray")
    synonyms: tuple[tuple[str, frozenset[str]], ...] = ()  # lay word -> the clinical words it stands for

    @property
    def drugs(self) -> tuple[str, ...]:
        return self.subject.drugs


@dataclass(frozen=True)
class _Named:
    literals: list[str]
    source: str


class Reader:
    def __init__(self, knowledge: Knowledge, parser: QuestionParser):
        rules, vocabulary = knowledge.claim_rules, knowledge.vocabulary
        self.context = Context(rules)
        tokenize = self.context.tokenize
        self.quantities = Lexicon(rules.quantities, tokenize)
        self.classes = Lexicon([_Named(c.names, ",".join(c.drugs)) for c in rules.drug_classes], tokenize)
        self.names = Lexicon([_Named(s.names, s.id) for s in knowledge.sources if s.names], tokenize)
        self.study_words = {tuple(t.stem for t in tokenize(w)): set(designs) for w, designs in rules.study_words.items()}
        self.sources = knowledge.sources
        self.facets = parser.facets
        self.expander = parser.expander
        self.subject = vocabulary.subject
        drug_words = {w for f in vocabulary.drugs for n in f.names for w in n.split()}
        self.drug_stems = {stem(w) for w in drug_words} | {stem(f.id) for f in vocabulary.drugs}
        self.stop = {stem(w) for w in STOPWORDS | set(rules.stopwords)} | self.drug_stems
        self.opposites = tuple((a, b) for a, b in rules.opposites)
        # one word for a route or condition however it is named ("drip", "infusion" -> @iv)
        self.facet_words = {stem(n): "@" + f.id for group in (vocabulary.routes, vocabulary.conditions)
                            for f in group for n in f.names if " " not in n}
        self.source_stems = {s.id: frozenset(t.stem for n in s.names for t in tokenize(n)) for s in knowledge.sources}

    def name_words(self, sentence: str) -> frozenset[str]:
        """The words of the names of the studies a sentence names ("american", "society", ...)."""
        tokens = self.context.tokenize(sentence)
        return frozenset(t.text for m in self.names.find(tokens) for t in tokens[m.start:m.end])

    def named_stems(self, claim: Claim) -> frozenset[str]:
        """The words of the study names a claim uses ("cleveland", "clinic"): its subject, not its content."""
        return frozenset(s for source in claim.named for s in self.source_stems.get(source, ()))

    # --- a sentence -------------------------------------------------------------------------------
    def read(self, sentence: str, carried: Subject | None = None) -> tuple[list[Claim], Subject]:
        tagged = self.context.tag(sentence)
        subject = self._subject(sentence, tagged, carried)
        named = self._named(tagged)
        certainty = stated_certainty(tagged)
        attributed = bool(named) or any(m.category == Concept.STUDY for c in tagged.clauses for m in c.mentions)
        share, points = claimed_share(tagged, self.quantities), points_claimed(tagged)
        at_most = share is not None and any(" ".join(tagged.words(i, i + 2)) in UPPER_BOUNDS or
                                            " ".join(tagged.words(i, i + 3)) in UPPER_BOUNDS
                                            for i in range(len(tagged.tokens)))
        synonyms = self._synonyms(sentence)
        mentioned = {m.category for c in tagged.clauses for m in c.mentions}
        acute = Concept.ACUTE in mentioned and Concept.CHRONIC not in mentioned
        claims: list[Claim] = []
        for clause in tagged.clauses:
            stances = list(clause_stances(clause, certainty, claims[-1].concept if claims else None, attributed))
            if not stances:
                stances = [(Stance.FACT, Strength.FIRM, None, frozenset(), False)]
            for stance, strength, concept, outcomes, absolute in stances:
                stems, negated = self._stems(tagged, clause)
                denied = denial(clause, concept)
                use = self._use(tagged, clause)
                if concept == Concept.APPROVAL and not use - GENERIC_USE and ANY_USE not in use and claims \
                        and claims[-1].concept == Concept.APPROVAL:
                    use = claims[-1].use  # "..., so its use for this purpose is off-label"
                claims.append(Claim(
                    " ".join(tagged.words(clause.start, clause.end)), stance, strength, concept, subject,
                    outcomes, named, attributed, share, at_most, points, absolute,
                    interaction=any(m.target.outcome == "interactions" for m in clause.mentions),
                    comparison=comparison(clause, tagged), acute=acute, certainty=certainty, stems=stems, negated=negated,
                    exclusive=any(m.has(Cue.RESTRICTION) for m in clause.mentions if m.category == Concept.APPROVAL),
                    use=use, denied=denied, concepts=fact_concepts(clause), numbers=numbers(tagged, clause),
                    figures=figures(tagged, clause),
                    qualifiers=self._qualifiers(tagged, clause), synonyms=synonyms))
        return claims, subject

    def _subject(self, sentence: str, tagged: Tagged, carried: Subject | None) -> Subject:
        expanded = fold(self.expander.expand(sentence).expanded)
        found = {kind: [(pattern.search(expanded).start(), value) for value, pattern in patterns
                        if pattern.search(expanded)] for kind, patterns in self.facets.patterns.items()}
        drugs = [v for _, v in sorted(found.get("drug", []))]
        for match in self.classes.find(tagged.tokens):
            drugs += [d for d in match.rule.source.split(",") if d not in drugs]
        routes = [v for _, v in sorted(found.get("route", []))]
        conditions = frozenset(v for _, v in found.get("condition", []))
        if drugs:
            return Subject(tuple(dict.fromkeys(drugs)), True, routes[0] if routes else None, conditions)
        if carried is not None and carried.named:
            return Subject(carried.drugs, True, routes[0] if routes else carried.route,
                           conditions or (carried.conditions if _refers_back(tagged) else frozenset()))
        return Subject((self.subject,), False, routes[0] if routes else None, conditions)

    def drugs_in(self, sentence: str) -> frozenset[str]:
        """The medicines a sentence names itself, by name or by class ("NMDA blockers")."""
        expanded = fold(self.expander.expand(sentence).expanded)
        found = {value for value, pattern in self.facets.patterns["drug"] if pattern.search(expanded)}
        for match in self.classes.find(self.context.tokenize(sentence)):
            found |= set(match.rule.source.split(","))
        return frozenset(found)

    def _named(self, tagged: Tagged) -> frozenset[str]:
        """Sources the sentence names: by a name in sources.yaml, or by year and kind of study."""
        named = {m.rule.source for m in self.names.find(tagged.tokens)}
        tokens = tagged.tokens
        for i, token in enumerate(tokens):
            if not YEAR.match(token.text):
                continue
            near = [t.stem for t in tokens[max(0, i - 4):i + 4]]
            designs = set()
            for words, kinds in self.study_words.items():
                if any(tuple(near[k:k + len(words)]) == words for k in range(len(near))):
                    designs |= kinds
            named |= {s.id for s in self.sources if s.year == int(token.text) and s.design in designs}
        return frozenset(named)

    def _stems(self, tagged: Tagged, clause: Clause) -> tuple[frozenset[str], frozenset[str]]:
        stems, negated = set(), set()
        cues = {j for c in tagged.clauses for m in c.modifiers if m.rule.category in FUNCTION_CUES
                for j in range(m.start, m.end)}  # "may", "found", "not": how it is said, not what
        main = [i for i in range(clause.start, clause.end) if i not in tagged.subordinate and i not in cues]
        for i in main or range(clause.start, clause.end):
            token = tagged.tokens[i]
            if token.stem in self.stop or not token.text[0].isalpha() or len(token.text) < 2 or token.text in NUMBER_WORDS:
                continue  # figures are matched on their own (claim.numbers)
            word = self.facet_words.get(token.stem, token.stem)
            stems.add(word)
            if i in tagged.negated:
                negated.add(word)
        return frozenset(stems), frozenset(negated)

    def _synonyms(self, sentence: str) -> tuple[tuple[str, frozenset[str]], ...]:
        """The lexicon's clinical words for the lay words of a sentence ("Alzheimer's" -> dementia)."""
        pairs = []
        for term, targets in self.expander.expand(sentence).expansions:
            clinical = frozenset(self.facet_words.get(t.stem, t.stem) for target in targets
                                 for t in self.context.tokenize(target) if t.stem not in self.stop)
            pairs += [(t.stem, clinical) for t in self.context.tokenize(term) if t.stem not in self.stop]
        return tuple(pairs)

    def _qualifiers(self, tagged: Tagged, clause: Clause) -> frozenset[str]:
        """The words naming what is approved, just before "approved" ("compounded ketamine nasal spray")."""
        approval = next((m for m in clause.mentions if m.category == Concept.APPROVAL), None)
        if approval is None:
            return frozenset()
        words = tagged.tokens[max(clause.start, approval.start - 6):approval.start]
        return frozenset(self.facet_words.get(t.stem, t.stem) for t in words
                         if t.stem not in self.stop and t.text[0].isalpha() and t.text not in ("fda", "not", "no"))

    def _use(self, tagged: Tagged, clause: Clause) -> frozenset[str]:
        """What an approval is for: the content words after "approved ... for / as" (or, in "..., not
        for pain", after the opening words)."""
        approvals = [m for m in clause.mentions if m.category == Concept.APPROVAL]
        start = approvals[0].end if approvals else clause.start
        for words in (tagged.tokens[start:clause.end], tagged.tokens[clause.start:start]):
            first = next((k for k, t in enumerate(words[:8]) if t.text in ("for", "as")), None)
            if first is None:
                continue
            use = []
            for token in words[first + 1:first + 9]:
                if token.text in USE_ENDS:
                    break
                if token.text in ("any", "anything", "all"):
                    use.append(ANY_USE)  # "not approved for any condition"
                elif token.stem not in self.stop and token.stem not in TIME_WORDS and token.text[0].isalpha():
                    use.append(token.stem)  # "for over 50 years" is how long, not what for
            return frozenset(use)
        return frozenset()

    # --- a clause ---------------------------------------------------------------------------------


def _refers_back(tagged: Tagged) -> bool:
    return any(t.text in ("this", "that", "these", "it", "they", "such") for t in tagged.tokens[:12])
