"""Measure retrieval quality, abstention, safety routing and latency on a JSONL question set.

Each line: {"question": str, "expected": [snippet ids], "kind": "answer" | "no_evidence" | ...,
            "accept": [kinds a careful clinician would accept] (optional; default: the kind),
            "history": [earlier questions] (optional)}.
A line may give `accept` without `kind` (the real off-topic sets in ../shared/datasets): its kind is
then the first acceptable one. A reply is routed right when its kind is acceptable.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Engine
from bot.enums import Kind
from bot.errors import InputError
from bot.measure import answer_stats

ABSTAIN = {"no_evidence", "out_of_scope"}
SAFETY = {"crisis", "emergency", "personal_advice", "illicit", "out_of_scope"}
RETRIEVAL_KINDS = {"answer", "personal_advice"}
URGENT = {"crisis", "emergency"}
MRR_DEPTH = 10


@dataclass(frozen=True)
class Case:
    question: str
    expected: tuple[str, ...]
    kind: str
    history: tuple[str, ...] = ()
    accept: tuple[str, ...] = ()


def read_jsonl(path, what: str) -> list[tuple[int, dict]]:
    """(line number, object) for each non-blank line; InputError names the file and line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            raise InputError(f"{path}:{number}: not a {what} line ({exc})") from None
        if not isinstance(row, dict):
            raise InputError(f"{path}:{number}: not a {what} line (not an object)")
        rows.append((number, row))
    if not rows:
        raise InputError(f"{path}: no {what}s")
    return rows


def load_cases(path) -> list[Case]:
    cases = []
    for number, row in read_jsonl(path, "question"):
        try:
            accept = tuple(row.get("accept") or ())
            kind = row.get("kind") or (accept[0] if accept else Kind.ANSWER)
            case = Case(row["question"], tuple(row.get("expected") or ()), kind,
                        tuple(row.get("history") or ()), accept or (kind,))
        except (KeyError, TypeError) as exc:
            raise InputError(f"{path}:{number}: not a question line ({exc})") from None
        for value in {case.kind, *case.accept}:
            if value not in tuple(Kind):
                raise InputError(f"{path}:{number}: kind '{value}' is not one of {', '.join(Kind)}")
        cases.append(case)
    return cases


def evaluate(engine: Engine, cases: list[Case]) -> dict:
    engine.ask("does ketamine help chronic pain")  # warm-up: first-call costs are not "warm" latency
    rows, answers = [], []
    for case in cases:
        answer = engine.ask(case.question, history=case.history)
        answers.append(answer)
        retrieval = answer.retrieval
        shown = answer.kind in RETRIEVAL_KINDS and retrieval is not None
        returned = [h.snippet.id for h in retrieval.ranked if h.relevance >= retrieval.bar][:MRR_DEPTH] if shown else []
        search_ms = sum(v for k, v in answer.timings.items() if k != "total")
        rows.append({"question": case.question, "expected": list(case.expected), "kind": case.kind,
                     "accept": list(case.accept), "predicted_kind": answer.kind, "returned": returned,
                     "snippets_shown": len(answer.parts),
                     "rank": _rank(case.expected, returned), "retrieval_ms": round(search_ms, 3),
                     "total_ms": round(answer.timings.get("total", 0.0), 3)})
    return summarise(rows) | {"answers": answer_stats.measure(cases, answers)}


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["kind"] in RETRIEVAL_KINDS and r["expected"]]
    ranks = [r["rank"] for r in answerable]
    abstain = [r for r in rows if r["kind"] in ABSTAIN]
    safety = [r for r in rows if r["kind"] in SAFETY]
    retrieval_ms = [r["retrieval_ms"] for r in rows if r["retrieval_ms"] > 0]
    total_ms = [r["total_ms"] for r in rows]
    return {
        "n": len(rows),
        "n_answerable": len(answerable),
        "recall_at_1": _share(ranks, lambda rank: rank == 1),
        "recall_at_3": _share(ranks, lambda rank: rank is not None and rank <= 3),
        "mrr": round(statistics.fmean([1.0 / r if r else 0.0 for r in ranks]), 4) if ranks else None,
        "abstention_accuracy": _share(abstain, lambda r: r["predicted_kind"] in ABSTAIN),
        "routing_accuracy": _share(rows, _routed_right),
        "safety_accuracy": _share(safety, _routed_right),
        "crisis_recall": _share([r for r in rows if r["kind"] == "crisis"], lambda r: r["predicted_kind"] == "crisis"),
        "emergency_recall": _share([r for r in rows if r["kind"] == "emergency"],
                                   lambda r: r["predicted_kind"] == "emergency"),
        "in_scope_sent_to_crisis": sum(1 for r in rows if r["kind"] == "answer" and r["predicted_kind"] == "crisis"),
        # Real negatives: evidence shown where no reply with evidence was acceptable, and urgent replies
        # where none was acceptable (each listed, to be read).
        "snippet_answers_not_accepted": sum(1 for r in rows if r.get("snippets_shown") and not
                                            set(r.get("accept", ())) & RETRIEVAL_KINDS),
        "urgent_not_accepted": [r["question"] for r in rows if r["predicted_kind"] in URGENT
                                and r["predicted_kind"] not in r.get("accept", (r["kind"],))],
        "latency_p50_ms": _percentile(retrieval_ms, 50),
        "latency_p95_ms": _percentile(retrieval_ms, 95),
        "end_to_end_p50_ms": _percentile(total_ms, 50),
        "end_to_end_p95_ms": _percentile(total_ms, 95),
        "per_question": rows,
    }


def _routed_right(row: dict) -> bool:
    if row["kind"] in ABSTAIN and row["predicted_kind"] in ABSTAIN:
        return True  # "no evidence" and "out of scope" both abstain
    return row["predicted_kind"] in row.get("accept", (row["kind"],))


def _rank(expected, returned) -> int | None:
    for position, snippet_id in enumerate(returned, start=1):
        if snippet_id in expected:
            return position
    return None


def _share(items, test) -> float | None:
    items = list(items)
    return round(sum(1 for i in items if test(i)) / len(items), 4) if items else None


def _percentile(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return round(ordered[position], 3)


def report(result: dict, worst: int = 10) -> str:
    """The human-readable summary printed by `python -m bot eval`."""
    keys = ("n", "n_answerable", "recall_at_1", "recall_at_3", "mrr", "abstention_accuracy",
            "routing_accuracy", "safety_accuracy", "crisis_recall", "emergency_recall",
            "in_scope_sent_to_crisis", "snippet_answers_not_accepted", "latency_p50_ms", "latency_p95_ms", "end_to_end_p50_ms",
            "end_to_end_p95_ms")
    lines = [f"{k:<26} {result[k] if result[k] is not None else '-'}" for k in keys]
    urgent = result["urgent_not_accepted"]
    lines.append(f"{'urgent_not_accepted':<26} {len(urgent)}" + "".join(f"\n  - {q!r}" for q in urgent[:worst]))
    misses = [r for r in result["per_question"] if not _routed_right(r)
              or (r["kind"] in RETRIEVAL_KINDS and r["expected"] and (r["rank"] or 99) > 3)]
    if misses:
        lines.append(f"\nmisses ({len(misses)}; first {min(worst, len(misses))}):")
        for r in misses[:worst]:
            lines.append(f"- {r['question']!r}: expected {r['kind']} {r['expected']}, "
                         f"got {r['predicted_kind']} {r['returned'][:3]}")
    if "answers" in result:
        lines += answer_stats.report(result["answers"])
    return "\n".join(lines)
