"""What one clause claims: its stance (a benefit, no benefit, an evidence gap, a harm, a harm denied
or played down, a statement of fact), how firmly it is said, and what it is about, from the concepts
ConText found in it and the modifiers whose scope reaches them (bot/check/context.py)."""

from __future__ import annotations

from bot.check.context import Clause, Mention, Tagged
from bot.enums import Certainty
from bot.knowledge.check_rules import Concept, Cue, Stance, Strength

HEDGE_STRENGTH = {Certainty.HIGH: Strength.FIRM, Certainty.MODERATE: Strength.PROBABLE,
                  Certainty.LOW: Strength.HEDGED, Certainty.VERY_LOW: Strength.VERY_HEDGED}
CLAIMS = (Concept.BENEFIT, Concept.WORSE, Concept.HARM, Concept.SAFETY, Concept.EVIDENCE, Concept.APPROVAL)
EFFECT_WORDS = frozenset({"effect", "effects", "impact", "influence"})


def stances(clause: Clause, certainty: Certainty | None, previous: Concept | None, attributed: bool):
    """(stance, strength, concept, outcomes, absolute) for each thing a clause claims. `certainty`: the
    certainty the sentence states; `previous`: the concept of the clause before ("approved as X, but
    not yet as Y"); `attributed`: the sentence names a study."""
    mentions = [m for m in clause.mentions if not m.subordinate] or list(clause.mentions)
    claims_made = [m for m in mentions if m.category in CLAIMS]
    gap = _evidence_gap(mentions)
    if gap is not None:
        yield gap, Strength.FIRM, Concept.EVIDENCE, _effect_outcomes(mentions), gap == Stance.NO_EVIDENCE
        return
    denial = _opens_denial(clause) or any(m.rule.category == Cue.NEGATION for m in clause.modifiers)
    if not claims_made:
        if denial and previous == Concept.APPROVAL:  # "approved as X, but not yet as Y"
            yield Stance.FACT, Strength.FIRM, Concept.APPROVAL, frozenset({"approval"}), False
            return
        if any(m.category == Concept.DESIGN for m in clause.mentions):
            yield Stance.FACT, Strength.FIRM, Concept.DESIGN, frozenset(), False
            return
        if any(m.rule.category == Cue.GAP for m in clause.modifiers):  # "should be regarded as investigational"
            yield Stance.GAP, Strength.FIRM, Concept.EVIDENCE, frozenset({"pain"}), False
            return
        if certainty is not None and any(m.category == Concept.EVIDENCE for m in clause.mentions):
            yield Stance.CERTAINTY, HEDGE_STRENGTH[certainty], Concept.EVIDENCE, frozenset(), False
            return
        about = frozenset(m.target.outcome for m in clause.mentions if m.category == Concept.OUTCOME)
        yield Stance.FACT, _strength(mentions, None, clause, attributed), None, about, False
        return
    if any(m.category == Concept.APPROVAL for m in mentions):
        yield Stance.FACT, Strength.FIRM, Concept.APPROVAL, frozenset({"approval"}), False
        yield from _harm_family(mentions, clause, attributed, certainty)
        return
    if attributed and any(m.category == Concept.DESIGN for m in clause.mentions):  # "the study compared it with
        yield Stance.FACT, Strength.FIRM, Concept.DESIGN, frozenset(), False  # a placebo group and..."
    harm = list(_harm_family(mentions, clause, attributed, certainty))
    yield from harm
    benefit = [m for m in mentions if m.category in (Concept.BENEFIT, Concept.WORSE)
               and not _effect_on_harm(m, mentions)]
    if benefit:
        yield _benefit(benefit, mentions, clause, certainty, attributed)
    elif not harm and certainty is not None:
        yield Stance.CERTAINTY, HEDGE_STRENGTH[certainty], Concept.EVIDENCE, frozenset(), False


def _evidence_gap(mentions: list[Mention]) -> Stance | None:
    """The clause says the evidence is missing ("no research") or unclear ("no clear evidence")."""
    for m in mentions:
        if m.category == Concept.EVIDENCE and (_denied(m) or m.has(Cue.GAP)):
            qualified = m.has(Cue.QUALIFIER) or m.has(Cue.CERTAINTY) or m.has(Cue.GAP) or m.has(Cue.BOOSTER)
            absolute = m.has(Cue.ABSOLUTE) or m.target.absolute  # "no research", "at all"; "nobody knows" is a gap
            return Stance.NO_EVIDENCE if absolute and not qualified and _denied(m) else Stance.GAP
    for m in mentions:  # "it is unclear whether it eases pain", "no clear benefit"
        if m.category in (Concept.BENEFIT, Concept.WORSE) and m.has(Cue.GAP) and not m.has(Cue.BOOSTER) \
                and not _effect_on_harm(m, mentions):
            return Stance.GAP
    return None


def _harm_family(mentions: list[Mention], clause: Clause, attributed: bool, certainty: Certainty | None = None):
    """`certainty`: the certainty the sentence states; a harm stated with it ("a higher risk of side
    effects, low certainty") is as firm as that certainty, as a benefit is."""
    harms = [m for m in mentions if m.category == Concept.HARM]
    safety = [m for m in mentions if m.category == Concept.SAFETY]
    if not harms and not safety:
        return
    outcomes = frozenset(m.target.outcome for m in harms if m.target.outcome) | \
        frozenset(m.target.outcome for m in clause.mentions if m.category == Concept.OUTCOME
                  and m.target.outcome == "interactions")
    misuse = [m for m in clause.mentions if m.category == Concept.MISUSE and m.has(Cue.RESTRICTION)]
    played_down = any(m.has(Cue.MINIMISER) or m.has(Cue.APPROXIMATOR) for m in harms + safety)
    strength = _strength(harms + safety, certainty, clause, attributed)
    absolute = any(m.has(Cue.ABSOLUTE) or any(r.absolute for r in m.rules(Cue.NEGATION)) for m in harms)
    if misuse and harms and not any(_denied(m) for m in misuse):
        full = any(r.absolute for m in misuse for r in m.rules(Cue.RESTRICTION))
        yield (Stance.CONFINED_HARM if full else Stance.PARTLY_CONFINED_HARM), strength, Concept.HARM, outcomes, full
    elif played_down:
        yield Stance.MINIMISED_HARM, strength, Concept.HARM, outcomes, False
    elif any(_denied(m) for m in harms):
        yield Stance.NO_HARM, strength, Concept.HARM, outcomes, absolute
        if safety and not any(_denied(m) for m in safety):  # "safe, with zero side effects": both claims
            yield Stance.SAFE, _strength(safety, None, clause, attributed), Concept.SAFETY, frozenset(), False
    elif safety and any(_denied(m) for m in safety):
        yield Stance.HARM, strength, Concept.HARM, outcomes, False  # "not safe for everyone"
    elif safety:
        stance = Stance.NO_HARM if outcomes else Stance.SAFE  # "safe for the bladder" denies that harm
        yield stance, strength, Concept.SAFETY, outcomes, False
    else:
        yield Stance.HARM, strength, Concept.HARM, outcomes, False


def _benefit(benefit: list[Mention], mentions: list[Mention], clause: Clause, certainty: Certainty | None,
             attributed: bool):
    outcomes = _effect_outcomes(mentions)
    worse = [m for m in benefit if m.category == Concept.WORSE and not _denied(m)]
    if worse:
        return Stance.WORSENS, _strength(worse, certainty, clause, attributed), Concept.WORSE, outcomes, False
    lead = benefit[0]
    if all(_denied(m) for m in benefit):
        qualified = any(m.has(Cue.QUALIFIER) or m.has(Cue.CERTAINTY) for m in benefit)
        if qualified and not any(m.target.negative for m in benefit):
            return Stance.GAP, Strength.FIRM, Concept.EVIDENCE, outcomes, False
        absolute = any(m.has(Cue.ABSOLUTE) or any(r.absolute for r in m.rules(Cue.NEGATION)) for m in benefit)
        return Stance.NO_BENEFIT, _strength(benefit, certainty, clause, attributed), Concept.BENEFIT, outcomes, absolute
    lead = next(m for m in benefit if not _denied(m))
    return Stance.BENEFIT, _strength([lead, *benefit], certainty, clause, attributed), Concept.BENEFIT, outcomes, False


def _strength(mentions: list[Mention], certainty: Certainty | None, clause: Clause, attributed: bool) -> Strength:
    if any(m.has(Cue.BOOSTER) or m.target.strong for m in mentions):
        return Strength.STRONG
    hedges = [r.level for m in mentions for r in m.rules(Cue.HEDGE)]
    if hedges:
        return HEDGE_STRENGTH[min(hedges, key=lambda c: c.rank)]
    if certainty is not None:
        return HEDGE_STRENGTH[certainty]
    reports = any(m.rule.category == Cue.REPORT for m in clause.modifiers)
    return Strength.REPORTED if reports and attributed else Strength.FIRM


def stated_certainty(tagged: Tagged) -> Certainty | None:
    """The certainty a sentence says the evidence has ("low to very low certainty" -> low)."""
    levels = [r.level for c in tagged.clauses for m in c.mentions if m.category == Concept.EVIDENCE and not _denied(m)
              for r in m.rules(Cue.CERTAINTY)]
    return max(levels, key=lambda c: c.rank) if levels else None


def _effect_outcomes(mentions: list[Mention]) -> frozenset[str]:
    """What an effect is on: an outcome named right after the benefit word, else pain."""
    found = set()
    for m in mentions:
        if m.category not in (Concept.BENEFIT, Concept.WORSE):
            continue
        if m.target.outcome:
            found.add(m.target.outcome)
            continue
        after = [o for o in mentions if o.category == Concept.OUTCOME and m.end <= o.start <= m.end + 5
                 and o.target.outcome not in ("interactions", "completion")]
        found.add(after[0].target.outcome if after else "pain")
    return frozenset(found or {"pain"})


def _effect_on_harm(mention: Mention, mentions: list[Mention]) -> bool:
    """"No effect on blood pressure", "trip-like effects": the effect word is about a harm, not a benefit."""
    if mention.target.category != Concept.BENEFIT:
        return False
    if mention.text not in EFFECT_WORDS:  # "side effects resolve quickly", "bladder symptoms improve"
        return any(o.category == Concept.HARM and o.end <= mention.start for o in mentions) and \
            not any(o.category == Concept.OUTCOME and o.start >= mention.end for o in mentions) and \
            not mention.pain_after
    if any(o.category == Concept.HARM and o.end == mention.start for o in mentions):
        return True
    return any(o.category == Concept.HARM and mention.end <= o.start <= mention.end + 4 for o in mentions) and \
        not any(o.category == Concept.OUTCOME and mention.end <= o.start <= mention.end + 4 for o in mentions)


def denial(clause: Clause, concept: Concept | None) -> bool:
    """Whether the clause denies its concept: "not approved", "..., not for pain", "not yet as...". """
    if _opens_denial(clause):
        return True
    mentions = [m for m in clause.mentions if m.category == concept]
    if mentions:
        return any(_denied(m) for m in mentions)
    return any(m.rule.category == Cue.NEGATION for m in clause.modifiers)


def fact_concepts(clause: Clause) -> frozenset[str]:
    """The concepts a statement of fact rests on, marked "!" when denied ("no comparison group")."""
    return frozenset(("!" if _denied(m) else "") + m.category for m in clause.mentions
                     if m.category == Concept.DESIGN)


def _denied(m: Mention) -> bool:
    return m.target.negative or m.has(Cue.NEGATION)


def _opens_denial(clause: Clause) -> bool:
    return any(m.rule.category == Cue.TERMINATE and m.rule.negates and m.start == clause.start for m in clause.modifiers)


def comparison(clause: Clause, tagged: Tagged) -> bool:
    """Compared head to head with something other than a placebo ("works as well as IV infusions")."""
    for mod in clause.modifiers:
        if mod.rule.category != Cue.COMPARISON or any(  # "better than a placebo" is a benefit, not a comparison
                m.category == Concept.BENEFIT and m.start <= mod.start and mod.end <= m.end for m in clause.mentions):
            continue
        ahead = [m for m in clause.mentions if mod.end <= m.start < mod.end + mod.rule.max_scope]
        if any(m.category == Concept.COMPARATOR for m in ahead) or mod.end >= clause.end:
            continue
        if [t.text for t in tagged.tokens[mod.start:mod.end]] == ["as", "well", "as"] and not any(
                m.category == Concept.BENEFIT and mod.start - 4 <= m.start < mod.start for m in clause.mentions):
            continue  # "nausea as well as dizziness" is a list
        return True
    return False
