"""Evidence at a glance: medicine (and route, where it matters) x condition, from snippet front matter.

A cell gathers the snippets about pain in that condition with an effect finding (benefit, no clear
benefit, uncertain). Its finding is the one of its most certain snippets ("Findings differ" when
those disagree), its certainty theirs; `disagree` says whether any snippet in it found otherwise.
A medicine is split into one row per route only when that changes what some cell says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.knowledge.load import Knowledge, Snippet
from bot.knowledge.vocabulary import Vocabulary

EFFECT_FINDINGS = ("benefit", "no-clear-benefit", "uncertain")
RANK = {"high": 4, "moderate": 3, "low": 2, "very-low": 1, "not-graded": 0}
# UI labels for the knowledge vocabulary, in plain words.
DRUG_LABELS = {"ketamine": "Ketamine", "esketamine": "Esketamine", "memantine": "Memantine",
               "dextromethorphan": "Dextromethorphan (DXM)", "amantadine": "Amantadine", "magnesium": "Magnesium"}
DRUG_SHORT = {"dextromethorphan": "DXM"}  # where the chart's column headings have little room
ROUTE_SHORT = {"iv": "drip", "oral": "by mouth", "topical": "cream", "intranasal": "nasal spray",
               "sublingual": "under tongue", "intramuscular": "injection"}
ROUTE_LABELS = {"iv": "drip (IV)", "oral": "by mouth", "topical": "cream or gel", "intranasal": "nasal spray",
                "sublingual": "under the tongue", "intramuscular": "injection"}
CONDITION_LABELS = {
    "chronic-pain": "Long-lasting pain in general", "neuropathic-pain": "Nerve pain", "fibromyalgia": "Fibromyalgia",
    "crps": "CRPS", "spinal-cord-injury": "Spinal cord injury", "phantom-limb-pain": "Phantom limb pain",
    "postherpetic-neuralgia": "Pain after shingles", "diabetic-neuropathy": "Diabetic nerve pain",
    "cancer-pain": "Cancer pain", "migraine": "Migraine", "low-back-pain": "Back pain",
    "post-surgical-pain": "Pain after surgery", "depression": "Depression",
}
# Each finding in words and as a symbol, so a cell never rests on colour.
FINDINGS = {"benefit": ("Some benefit", "+"), "no-clear-benefit": ("No clear benefit", "="),
            "uncertain": ("Unclear", "?"), "mixed": ("Findings differ", "±")}


@dataclass(frozen=True)
class Cell:
    finding: str  # benefit | no-clear-benefit | uncertain | mixed
    certainty: str  # of the most certain snippets in the cell
    snippet_ids: tuple[str, ...]  # most certain first
    disagree: bool  # some snippet in the cell found something else
    only_route: str | None = None  # in a row of all routes: the one route all its snippets are about

    @property
    def route_note(self) -> str:
        return f"{ROUTE_LABELS.get(self.only_route, self.only_route)} only" if self.only_route else ""

    @property
    def label(self) -> str:
        return FINDINGS[self.finding][0]

    @property
    def symbol(self) -> str:
        return FINDINGS[self.finding][1]

    @property
    def steps(self) -> int:
        return RANK[self.certainty]


@dataclass(frozen=True)
class Row:
    drug: str
    route: str | None  # None: all routes together
    cells: tuple[Cell | None, ...]  # one per grid condition

    @property
    def label(self) -> str:
        name = DRUG_LABELS.get(self.drug, self.drug.capitalize())
        return f"{name}, {ROUTE_LABELS.get(self.route, self.route)}" if self.route else name

    @property
    def short_label(self) -> str:
        name = DRUG_SHORT.get(self.drug) or DRUG_LABELS.get(self.drug, self.drug.capitalize())
        return f"{name}, {ROUTE_SHORT.get(self.route, self.route)}" if self.route else name

    @property
    def key(self) -> str:
        return f"{self.drug}-{self.route}" if self.route else self.drug


@dataclass(frozen=True)
class Grid:
    conditions: tuple[str, ...]
    rows: tuple[Row, ...]

    def condition_label(self, condition: str) -> str:
        return CONDITION_LABELS.get(condition, condition.replace("-", " ").capitalize())

    @property
    def cells(self) -> list[Cell]:
        return [c for row in self.rows for c in row.cells if c is not None]


_GRIDS: dict[str, Grid] = {}


def evidence_grid(knowledge: Knowledge) -> Grid:
    """The grid for this knowledge (made once per knowledge version)."""
    grid = _GRIDS.get(knowledge.content_hash)
    if grid is None:
        grid = _GRIDS[knowledge.content_hash] = make_grid(knowledge.snippets, knowledge.vocabulary)
    return grid


def make_grid(snippets: Sequence[Snippet], vocabulary: Vocabulary) -> Grid:
    about_pain = [s for s in snippets if "pain" in s.outcomes and s.finding in EFFECT_FINDINGS
                  and s.drugs and s.conditions]
    conditions = tuple(c for c in vocabulary.allowed("conditions") if any(c in s.conditions for s in about_pain))
    conditions += tuple(sorted({c for s in about_pain for c in s.conditions} - set(conditions)))
    drugs = [d for d in vocabulary.allowed("drugs") if any(d in s.drugs for s in about_pain)]
    rows: list[Row] = []
    for drug in drugs:
        rows += drug_rows(drug, [s for s in about_pain if drug in s.drugs], conditions, vocabulary.allowed("routes"))
    return Grid(conditions, tuple(rows))


def drug_rows(drug: str, snippets: list[Snippet], conditions: tuple[str, ...], route_order: Sequence[str]) -> list[Row]:
    """One row for the medicine, or one per route when the routes' cells say different things."""
    whole = Row(drug, None, cells_for(snippets, conditions))
    routes = [r for r in route_order if any(r in s.routes for s in snippets)]
    if len(routes) < 2:
        return [whole]
    whole = Row(drug, None, tuple(_with_route(cell, c, snippets) for cell, c in zip(whole.cells, conditions, strict=True)))
    # A snippet that names no route is about the medicine however it is given.
    split = [Row(drug, r, cells_for([s for s in snippets if r in s.routes or not s.routes], conditions))
             for r in routes]
    differs = any(cell is not None and _verdict(cell) != _verdict(whole.cells[i])
                  for row in split for i, cell in enumerate(row.cells))
    return [row for row in split if any(row.cells)] if differs else [whole]


def cells_for(snippets: list[Snippet], conditions: tuple[str, ...]) -> tuple[Cell | None, ...]:
    return tuple(make_cell([s for s in snippets if c in s.conditions]) for c in conditions)


def make_cell(snippets: list[Snippet]) -> Cell | None:
    if not snippets:
        return None
    best = max(RANK[s.certainty] for s in snippets)
    top = [s for s in snippets if RANK[s.certainty] == best]
    findings = {s.finding for s in top}
    ordered = sorted(snippets, key=lambda s: (-RANK[s.certainty], s.id))
    return Cell(finding=findings.pop() if len(findings) == 1 else "mixed", certainty=top[0].certainty,
                snippet_ids=tuple(s.id for s in ordered), disagree=len({s.finding for s in snippets}) > 1)


def _with_route(cell: Cell | None, condition: str, snippets: list[Snippet]) -> Cell | None:
    """Say so when all of a cell's evidence is about one route ("drip (IV) only")."""
    if cell is None:
        return None
    routes = {tuple(s.routes) for s in snippets if condition in s.conditions}
    only = next(iter(routes)) if len(routes) == 1 else ()
    return replace(cell, only_route=only[0]) if len(only) == 1 else cell


def _verdict(cell: Cell | None) -> tuple[str, str] | None:
    return (cell.finding, cell.certainty) if cell else None
