"""Leave-one-set-out figures: `python -m bot eval --cross`.

For each labelled question set that trains the router (knowledge/routing.yaml), train the router
without that set and score the set with it. Every figure is then a first run on questions the
router never saw (the patterns and scope lists were still written by people who had seen them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from bot.engine import Engine
from bot.measure.evaluate import evaluate, load_cases
from bot.triage import train
from bot.triage.router import Router


def cross(engine: Engine, sets: Sequence[Path] | None = None, config: train.TrainingConfig | None = None,
          progress: Callable[[str], None] = lambda message: None) -> dict[str, dict]:
    routing = engine.knowledge.routing
    sets = list(sets or routing.question_sets)
    texts = list(dict.fromkeys(text for text, _ in routing.rows()))
    progress(f"embedding {len(texts)} training rows")
    vectors = dict(zip(texts, engine.embedder.encode(texts), strict=True))
    index = engine.index
    snippets = index.vectors.reconstruct_n(0, index.vectors.ntotal)
    questions = index.questions.reconstruct_n(0, index.questions.ntotal) if index.questions.ntotal else \
        np.zeros((0, snippets.shape[1]), dtype=np.float32)
    original = engine.router
    results = {}
    try:
        for held in sets:
            rows = routing.rows(leave_out=held)
            x = train.feature_rows([t for t, _ in rows], np.vstack([vectors[t] for t, _ in rows]), engine.parser,
                                   engine.coverage, snippets, questions)
            model = train.fit(x, [label for _, label in rows], config=config, progress=progress)
            engine.router = Router(model, original.floor, original.coverage, original.relevance)
            engine.answers.clear()
            progress(f"scoring {Path(held).name} with a router trained on {len(rows)} rows without it")
            results[Path(held).name] = evaluate(engine, load_cases(held))
    finally:
        engine.router = original
        engine.answers.clear()
    return results


COLUMNS = ("n", "recall_at_3", "mrr", "abstention_accuracy", "routing_accuracy", "safety_accuracy",
           "crisis_recall", "emergency_recall")


def report(results: dict[str, dict]) -> str:
    head = "| held-out set | " + " | ".join(COLUMNS) + " |\n|" + "---|" * (len(COLUMNS) + 1)
    lines = [head]
    for name, result in results.items():
        cells = ["-" if result[c] is None else str(result[c]) for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
