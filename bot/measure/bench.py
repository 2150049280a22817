"""Speed and memory: per-stage timings, end-to-end percentiles, cold start, RSS, build time.

Figures are medians over repeated runs in one process (this machine is noisy); ratios measured in
the same run are more trustworthy than absolute numbers. Never used for asserts in tests.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.engine import Engine, build_index, default_embedder
from bot.search.retrieve import RetrievalConfig
from bot.settings import ROOT, Settings

STAGES = ("triage", "expansion", "bm25", "embedding", "vector_search", "fusion", "composition")
CHECK_SENTENCES = ROOT / "tests" / "data" / "check_questions.jsonl"
HANDOUT_SENTENCES = 40

def run(settings: Settings, questions: list[str], repeats: int = 5, cold_runs: int = 3,
        progress=lambda message: None) -> dict:
    embedder = default_embedder(settings)
    uncached = Engine(settings.replace(answer_cache=0), embedder, RetrievalConfig(embedding_cache=0))
    for q in questions[:5]:
        uncached.ask(q)
    per_run, stage_samples = [], {s: [] for s in STAGES}
    for r in range(repeats):
        progress(f"run {r + 1}/{repeats}: {len(questions)} questions, caches off")
        totals = []
        for q in questions:
            answer = uncached.ask(q)
            totals.append(answer.timings["total"])
            for stage in STAGES:
                if stage in answer.timings:
                    stage_samples[stage].append(answer.timings[stage])
        per_run.append({p: _pct(totals, p) for p in (50, 95, 99)})
    progress(f"clinician check: a {HANDOUT_SENTENCES}-sentence handout, {repeats * 4} runs")
    check = _check_handout(uncached, repeats * 4)
    cached = Engine(settings, embedder)
    for q in questions:
        cached.ask(q)
    repeat_ms = [cached.ask(q).timings["total"] for q in questions]
    progress("cold start and memory in fresh processes")
    cold = [_cold_start(settings, questions) for _ in range(cold_runs)]
    progress("index build")
    return {
        "cores": os.cpu_count(),
        "questions": len(questions),
        "repeats": repeats,
        "e2e_p50_ms": _r(statistics.median(run[50] for run in per_run)),
        "e2e_p95_ms": _r(statistics.median(run[95] for run in per_run)),
        "e2e_p99_ms": _r(statistics.median(run[99] for run in per_run)),
        "cached_p50_ms": _r(_pct(repeat_ms, 50)),
        "stages": {s: _r(statistics.median(v)) for s, v in stage_samples.items() if v},
        "cold_start_s": _r(statistics.median(c["cold_start_s"] for c in cold)),
        "rss_mb": _r(statistics.median(c["rss_mb"] for c in cold)),
        "bench_process_rss_mb": _r(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "build_s": _r(_build_time(settings, embedder)),
        **check,
        "snippets": len(uncached.knowledge.snippets),
        "backend": settings.embed_backend,
    }


def _check_handout(engine: Engine, runs: int) -> dict:
    """The clinician check on a handout of 40 sentences (the first of tests/data/check_questions.jsonl,
    one per line), and on one sentence; the checker is built before timing starts."""
    lines = [json.loads(line)["text"] for line in CHECK_SENTENCES.read_text(encoding="utf-8").splitlines() if line]
    handout = "\n".join(lines[:HANDOUT_SENTENCES])
    engine.check(lines[0])
    whole, single = [], []
    for i in range(runs):
        started = time.perf_counter()
        engine.check(handout)
        whole.append((time.perf_counter() - started) * 1000.0)
        started = time.perf_counter()
        engine.check(lines[i % len(lines)])
        single.append((time.perf_counter() - started) * 1000.0)
    return {"check_handout_sentences": len(engine.check(handout).claims),
            "check_handout_p50_ms": _r(_pct(whole, 50)), "check_handout_p95_ms": _r(_pct(whole, 95)),
            "check_sentence_p50_ms": _r(_pct(single, 50))}


def _cold_start(settings: Settings, questions: list[str]) -> dict:
    env = dict(os.environ, BOT_KNOWLEDGE_DIR=str(settings.knowledge_dir), BOT_INDEX_DIR=str(settings.index_dir),
               BOT_MODEL_CACHE=str(settings.model_cache), BOT_EMBED_BACKEND=settings.embed_backend,
               PYTHONPATH=str(ROOT))
    start = time.time()
    out = subprocess.run([sys.executable, "-m", "bot.measure.cold_start", repr(start), questions[0]],
                         input=json.dumps(questions),
                         capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _build_time(settings: Settings, embedder) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_index(settings.replace(index_dir=Path(tmp) / "index"), embedder)
        return time.perf_counter() - started


def _pct(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _r(value: float) -> float:
    return round(float(value), 3)


def report(result: dict) -> str:
    lines = [f"machine: {result['cores']} cores; {result['snippets']} snippets; backend {result['backend']}; "
             f"{result['questions']} unique questions x {result['repeats']} runs (medians of runs)",
             f"end to end, caches off: p50 {result['e2e_p50_ms']} ms, p95 {result['e2e_p95_ms']} ms, "
             f"p99 {result['e2e_p99_ms']} ms",
             f"repeated question (answer cache): p50 {result['cached_p50_ms']} ms",
             "stages (p50 ms): " + ", ".join(f"{k} {v}" for k, v in result["stages"].items()),
             f"clinician check: {result['check_handout_sentences']}-sentence handout p50 "
             f"{result['check_handout_p50_ms']} ms, p95 {result['check_handout_p95_ms']} ms; "
             f"one sentence p50 {result['check_sentence_p50_ms']} ms",
             f"cold start to first answer: {result['cold_start_s']} s; RSS per process {result['rss_mb']} MB",
             f"index build: {result['build_s']} s"]
    return "\n".join(lines)
