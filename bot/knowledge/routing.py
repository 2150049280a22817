"""The routing knowledge: labelled examples that train the router (knowledge/routing.yaml) and the
audited crisis and emergency floor (knowledge/safety_floor.yaml), compiled and checked at load."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from bot.enums import ROUTE_OF_KIND, Kind, Route
from bot.knowledge.files import Problems
from bot.knowledge.models import RoutingFile, SafetyFloorFile
from bot.knowledge.vocabulary import Vocabulary

PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")


@dataclass(frozen=True)
class RoutingExamples:
    examples: tuple[tuple[str, Route], ...]  # (text, label), the team's own examples
    question_sets: tuple[Path, ...]  # labelled question files that also train the router

    def rows(self, leave_out: Path | None = None) -> list[tuple[str, Route]]:
        """Every training row: the examples, then each question set's lines (one set may be left out).
        A missing set raises FileNotFoundError: training needs every set the file names."""
        rows = list(self.examples)
        for path in self.question_sets:
            if leave_out is None or path != Path(leave_out).resolve():
                rows += question_set_rows(path)
        return rows

    def training_hash(self) -> str:
        """sha256 of every training row: the index manifest records it, so a changed set means a rebuild."""
        digest = hashlib.sha256()
        for text, label in self.rows():
            digest.update(f"{label}\t{text}\n".encode())
        return digest.hexdigest()


def question_set_rows(path: Path) -> list[tuple[str, Route]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((row["question"], ROUTE_OF_KIND[Kind(row.get("kind") or Kind.ANSWER)]))
    return rows


def routing_examples(data: RoutingFile, root: Path) -> RoutingExamples:
    """The examples and the question sets' paths. The sets are read only to train (build, lint):
    a deployment that ships knowledge/ and a built index needs no test data."""
    examples = tuple((text, label) for label, texts in data.examples.items() for text in texts)
    return RoutingExamples(examples, tuple((root.parent / name).resolve() for name in data.question_sets))


def question_set_problems(routing: RoutingExamples) -> list[tuple[str, str]]:
    """(field, message) for each question set that cannot train the router."""
    found = []
    for i, path in enumerate(routing.question_sets):
        try:
            question_set_rows(path)
        except FileNotFoundError:
            found.append((f"question_sets.{i}", f"'{path}' not found (paths are from the project folder)"))
        except (ValueError, KeyError, TypeError) as exc:
            found.append((f"question_sets.{i}", f"'{path}' is not a labelled question set ({exc})"))
    return found


@dataclass(frozen=True)
class SafetyFloor:
    crisis: tuple[tuple[str, re.Pattern], ...]  # (id, pattern)
    abuse: tuple[tuple[str, re.Pattern], ...]
    emergency: tuple[tuple[str, re.Pattern], ...]
    past: re.Pattern
    ongoing: re.Pattern
    informational: re.Pattern
    soft: tuple[tuple[str, re.Pattern], ...]  # (kind, pattern)


def safety_floor(data: SafetyFloorFile, vocabulary: Vocabulary, path: Path, problems: Problems) -> SafetyFloor | None:
    names = {**data.definitions, "MEDICINES": "(?:" + "|".join(re.escape(n) for n in vocabulary.drug_names) + ")"}

    def compiled(field: str, text: str) -> re.Pattern | None:
        missing = set(PLACEHOLDER.findall(text)) - set(names)
        if missing:
            problems.add(path, field, f"unknown name {{{', '.join(sorted(missing))}}} (defined: {', '.join(names)})")
            return None
        try:
            return re.compile(PLACEHOLDER.sub(lambda m: names[m.group(1)], text))
        except re.error as exc:
            problems.add(path, field, f"not a regular expression ({exc})")
            return None

    def group(kind: str, patterns) -> tuple[tuple[str, re.Pattern], ...]:
        out = []
        for i, entry in enumerate(patterns):
            pattern = compiled(f"{kind}.{i}.pattern", entry.pattern)
            if pattern is not None:
                out.append((entry.id, pattern))
        return tuple(out)

    guards = {name: compiled(f"guards.{name}", getattr(data.guards, name)) for name in ("past", "ongoing", "informational")}
    soft = tuple((kind, p) for kind, text in data.soft.items() if (p := compiled(f"soft.{kind}", text)) is not None)
    crisis, abuse, emergency = group("crisis", data.crisis), group("abuse", data.abuse), group("emergency", data.emergency)
    ids = [e.id for e in (*data.crisis, *data.abuse, *data.emergency)]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.add(path, "id", f"duplicate pattern id '{duplicate}'")
    if any(g is None for g in guards.values()):
        return None
    return SafetyFloor(crisis, abuse, emergency, guards["past"], guards["ongoing"], guards["informational"], soft)
