"""Load and validate the curated knowledge: sources registry, snippets and lay lexicon.

`load_knowledge` is strict and raises `KnowledgeError` at the first problem;
`collect_problems` returns every problem, for `python -m bot lint`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import frontmatter
import yaml

from bot.errors import KnowledgeError

CERTAINTIES = ("high", "moderate", "low", "very-low", "not-graded")
FINDINGS = ("benefit", "no-clear-benefit", "harm", "no-clear-harm", "uncertain", "info")
DESIGNS = ("systematic-review", "meta-analysis", "rct", "observational", "guideline",
           "regulatory", "expert-opinion", "news")
DRUGS = ("ketamine", "esketamine", "memantine", "dextromethorphan", "amantadine", "magnesium")
ROUTES = ("iv", "oral", "topical", "intranasal", "sublingual", "intramuscular")
CONDITIONS = ("chronic-pain", "neuropathic-pain", "fibromyalgia", "crps", "spinal-cord-injury",
              "phantom-limb-pain", "postherpetic-neuralgia", "diabetic-neuropathy", "cancer-pain",
              "migraine", "low-back-pain", "post-surgical-pain", "depression")
OUTCOMES = ("pain", "side-effects", "mental-effects", "liver", "bladder", "dependence",
            "heart-blood-pressure", "breathing", "memory", "depression", "opioid-use", "function",
            "quality-of-life", "completion", "approval", "access", "interactions",
            "contraindications", "dosing", "cost")

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SOURCE_FIELDS = {"id": "str", "title": "str", "authors": "str", "journal": "str?", "year": "int",
                 "doi": "str?", "url": "str", "design": "str", "studies": "int?",
                 "participants": "int?", "checked": "date", "note": "str?",
                 "summary": "str?"}
SNIPPET_FIELDS = {"title": "str", "sources": "list", "certainty": "str", "finding": "str",
                  "drugs": "list", "routes": "list", "conditions": "list", "outcomes": "list",
                  "questions": "list", "checked": "date"}
SNIPPET_ENUMS = {"certainty": CERTAINTIES, "finding": FINDINGS, "drugs": DRUGS, "routes": ROUTES,
                 "conditions": CONDITIONS, "outcomes": OUTCOMES}


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    authors: str
    year: int
    url: str
    design: str
    checked: dt.date
    journal: str | None = None
    doi: str | None = None
    studies: int | None = None
    participants: int | None = None
    note: str | None = None
    summary: str | None = None  # one plain sentence for patients (/sources); `note` is for curators


@dataclass(frozen=True)
class Snippet:
    id: str
    topic: str
    path: str
    title: str
    body: str
    sources: tuple[str, ...]
    certainty: str
    finding: str
    drugs: tuple[str, ...]
    routes: tuple[str, ...]
    conditions: tuple[str, ...]
    outcomes: tuple[str, ...]
    questions: tuple[str, ...]
    checked: dt.date

    def search_text(self) -> str:
        """What both BM25 and the embedding see: title, lay questions, then the body."""
        return " ".join([self.title + ".", *self.questions, self.body])

    def compact_text(self) -> str:
        """Title and lay questions only: the short text embedded for very large bases."""
        return " ".join([self.title + ".", *self.questions])


@dataclass(frozen=True)
class Lexicon:
    expansions: tuple[tuple[str, tuple[str, ...]], ...]  # lay term -> clinical terms
    jargon: tuple[tuple[str, str], ...]  # clinical term -> plain words


@dataclass(frozen=True)
class Knowledge:
    root: Path
    sources: tuple[Source, ...]
    snippets: tuple[Snippet, ...]
    lexicon: Lexicon
    content_hash: str

    def source(self, source_id: str) -> Source:
        return self.sources_by_id[source_id]

    def snippet(self, snippet_id: str) -> Snippet:
        return self.snippets_by_id[snippet_id]

    @cached_property
    def sources_by_id(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def snippets_by_id(self) -> dict[str, Snippet]:
        return {s.id: s for s in self.snippets}


class _FastYAMLHandler(frontmatter.YAMLHandler):
    """python-frontmatter's YAML handler on LibYAML's safe loader (several times faster)."""

    def load(self, fm: str, **kwargs):
        return yaml.load(fm, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


_FAST_YAML = _FastYAMLHandler()


class _Problems:
    """Collects problems; in strict mode the first one is raised at once."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.items: list[KnowledgeError] = []

    def add(self, path, field: str, message: str) -> None:
        err = KnowledgeError(path, field, message)
        if self.strict:
            raise err
        self.items.append(err)


def load_knowledge(knowledge_dir) -> Knowledge:
    """Load the knowledge folder; raise KnowledgeError naming file and field at the first problem."""
    return _load(Path(knowledge_dir), _Problems(strict=True))


def collect_problems(knowledge_dir) -> tuple[Knowledge | None, list[KnowledgeError]]:
    """Load what can be loaded and return every format problem found."""
    problems = _Problems(strict=False)
    knowledge = _load(Path(knowledge_dir), problems)
    return knowledge, problems.items


def content_hash(knowledge_dir) -> str:
    """sha256 over every knowledge file's relative path and bytes: any edit changes it."""
    root = Path(knowledge_dir)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml", ".yml")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _load(root: Path, problems: _Problems) -> Knowledge:
    if not root.is_dir():
        problems.add(root, "-", "knowledge folder not found")
        return None
    sources = _load_sources(root / "sources.yaml", problems)
    known = {s.id for s in sources}
    snippets = _load_snippets(root / "snippets", known, problems)
    lexicon = load_lexicon(root / "lexicon.yaml", problems)
    return Knowledge(root=root, sources=tuple(sources), snippets=tuple(snippets),
                     lexicon=lexicon, content_hash=content_hash(root))


def load_yaml_mapping(path: Path) -> dict:
    """A knowledge YAML file that must hold a mapping; KnowledgeError names the file otherwise."""
    data = read_yaml(Path(path), _Problems(strict=True))
    if not isinstance(data, dict):
        raise KnowledgeError(path, "-", "must be a mapping of keys to values")
    return data


def read_yaml(path: Path, problems: _Problems):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        problems.add(path, "-", "file not found")
    except UnicodeDecodeError:
        problems.add(path, "-", "not UTF-8 text")
    except yaml.YAMLError as exc:
        problems.add(path, "-", f"broken YAML: {_one_line(exc)}")
    return None


def _load_sources(path: Path, problems: _Problems) -> list[Source]:
    data = read_yaml(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(path, "-", "must be a YAML list of sources")
        return []
    sources, seen = [], set()
    for i, entry in enumerate(data):
        where = f"{path}[{i}]"
        if not isinstance(entry, dict):
            problems.add(where, "-", "each source must be a mapping")
            continue
        values = _check_fields(entry, SOURCE_FIELDS, where, problems)
        if values is None:
            continue
        if not ID_PATTERN.match(values["id"]):
            problems.add(where, "id", f"'{values['id']}' is not kebab-case")
        if values["id"] in seen:
            problems.add(where, "id", f"duplicate source id '{values['id']}'")
        seen.add(values["id"])
        if values["design"] not in DESIGNS:
            problems.add(where, "design", f"'{values['design']}' is not one of {', '.join(DESIGNS)}")
            continue
        sources.append(Source(**values))
    return sources


def _load_snippets(folder: Path, known_sources: set[str], problems: _Problems) -> list[Snippet]:
    if not folder.is_dir():
        problems.add(folder, "-", "snippets folder not found")
        return []
    snippets, seen = [], {}
    for path in sorted(folder.glob("**/*.md")):
        snippet = _load_snippet(path, folder, known_sources, problems)
        if snippet is None:
            continue
        if snippet.id in seen:
            problems.add(path, "id", f"duplicate snippet id (also {seen[snippet.id]})")
            continue
        seen[snippet.id] = path
        snippets.append(snippet)
    if not snippets:
        problems.add(folder, "-", "no snippets found")
    return snippets


def _load_snippet(path: Path, folder: Path, known_sources: set[str], problems: _Problems):
    try:
        post = frontmatter.loads(path.read_text(encoding="utf-8"), handler=_FAST_YAML)
    except UnicodeDecodeError:
        problems.add(path, "-", "not UTF-8 text")
        return None
    except yaml.YAMLError as exc:
        problems.add(path, "front matter", f"broken YAML: {_one_line(exc)}")
        return None
    snippet_id = path.stem
    if not ID_PATTERN.match(snippet_id):
        problems.add(path, "id", f"file name '{snippet_id}' is not kebab-case")
    values = _check_fields(dict(post.metadata), SNIPPET_FIELDS, path, problems)
    body = post.content.strip()
    if not body:
        problems.add(path, "body", "empty body")
    if values is None:
        return None
    ok = True
    for field, allowed in SNIPPET_ENUMS.items():
        items = values[field] if isinstance(values[field], list) else [values[field]]
        for item in items:
            if item not in allowed:
                problems.add(path, field, f"'{item}' is not one of {', '.join(allowed)}")
                ok = False
    if not values["sources"]:
        problems.add(path, "sources", "cite at least one source")
        ok = False
    for source_id in values["sources"]:
        if source_id not in known_sources:
            problems.add(path, "sources", f"unknown source id '{source_id}'")
            ok = False
    if not ok:
        return None
    topic = path.parent.relative_to(folder).as_posix()
    lists = {k: tuple(values[k]) for k in ("sources", "drugs", "routes", "conditions", "outcomes", "questions")}
    return Snippet(id=snippet_id, topic=topic, path=str(path), title=values["title"], body=body,
                   certainty=values["certainty"], finding=values["finding"],
                   checked=values["checked"], **lists)


def load_lexicon(path: Path, problems: _Problems | None = None) -> Lexicon:
    problems = problems or _Problems(strict=True)
    data = read_yaml(path, problems)
    if data is None:
        return Lexicon((), ())
    if not isinstance(data, dict):
        problems.add(path, "-", "must be a mapping with 'expansions' and 'jargon'")
        return Lexicon((), ())
    for key in data:
        if key not in ("expansions", "jargon"):
            problems.add(path, key, "unknown key (allowed: expansions, jargon)")
    expansions, jargon = [], []
    for term, targets in (data.get("expansions") or {}).items():
        targets = [targets] if isinstance(targets, str) else targets
        if not isinstance(term, str) or not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
            problems.add(path, f"expansions.{term}", "must map a lay term to a list of clinical terms")
            continue
        expansions.append((term.lower().strip(), tuple(t.strip() for t in targets)))
    for term, plain in (data.get("jargon") or {}).items():
        if not isinstance(term, str) or not isinstance(plain, str):
            problems.add(path, f"jargon.{term}", "must map a clinical term to plain words")
            continue
        jargon.append((term.lower().strip(), plain.strip()))
    return Lexicon(tuple(expansions), tuple(jargon))


def _check_fields(entry: dict, spec: dict[str, str], where, problems: _Problems) -> dict | None:
    """Check keys and types against spec ('str', 'int', 'list', 'date', '?' = optional)."""
    ok = True
    for key in entry:
        if key not in spec:
            problems.add(where, str(key), f"unknown key (allowed: {', '.join(spec)})")
            ok = False
    values = {}
    for key, kind in spec.items():
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        value = entry.get(key)
        if value is None:
            if not optional:
                problems.add(where, key, "missing")
                ok = False
            continue
        value = _coerce(value, kind)
        if value is None:
            problems.add(where, key, f"must be {_KIND_WORDS[kind]}")
            ok = False
            continue
        values[key] = value
    return values if ok else None


_KIND_WORDS = {"str": "text", "int": "a whole number", "list": "a list of text items",
               "date": "a date like 2026-11-23"}


def _coerce(value, kind: str):
    if kind == "str":
        return value.strip() if isinstance(value, str) and value.strip() else None
    if kind == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    if kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return [v.strip() for v in value] if ok else None
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return None
    raise ValueError(kind)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
