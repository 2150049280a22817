"""Scale study: synthetic evidence bases of 1,000 to 100,000 snippets, built and queried by the
same code as the real one, to choose index types and measure build time, size, memory and latency.

Synthetic snippets are made from the real ones with varied wording (sentences recombined across
snippets of a topic, synonyms swapped, numbers changed), never copied whole. They exist only in a
temporary folder for the study; they are not evidence and never enter knowledge/.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

from bot.knowledge.load import Knowledge, load_knowledge
from bot.settings import ROOT

SYNONYMS = {
    "ketamine": ["ketamine"], "pain": ["pain", "discomfort", "aching"], "may": ["may", "might", "could"],
    "help": ["help", "ease", "relieve"], "people": ["people", "patients", "adults"],
    "study": ["study", "report", "analysis"], "review": ["review", "overview", "summary"],
    "common": ["common", "frequent", "usual"], "drip": ["drip", "infusion", "IV dose"],
    "doctor": ["doctor", "clinician", "prescriber"], "clear": ["clear", "firm", "solid"],
    "small": ["small", "modest", "slight"], "unclear": ["unclear", "uncertain", "not known"],
}
WORD = re.compile(r"\b(" + "|".join(SYNONYMS) + r")\b")
NUMBER = re.compile(r"\b\d{2,4}\b")

def generate(knowledge: Knowledge, size: int, folder: Path, seed: int = 7) -> None:
    """Write a knowledge folder with `size` synthetic snippets made from the real ones."""
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "snippets").mkdir(parents=True)
    for path in knowledge.root.glob("*.yaml"):  # registry, lexicon, messages, safety, scope, check
        shutil.copy(path, folder / path.name)
    by_topic = defaultdict(list)
    for snippet in knowledge.snippets:
        by_topic[snippet.topic].append(snippet)
    real = list(knowledge.snippets)
    for n in range(size):
        base = real[n % len(real)]
        other = rng.choice(by_topic[base.topic])
        sentences = _sentences(base.body)[:3] + _sentences(other.body)[-1:]
        rng.shuffle(sentences)
        body = " ".join(_vary(s, rng) for s in sentences)
        meta = {"title": f"{_vary(base.title, rng)} ({n})", "sources": list(base.sources),
                "certainty": base.certainty, "finding": base.finding, "drugs": list(base.drugs),
                "routes": list(base.routes), "conditions": list(base.conditions), "outcomes": list(base.outcomes),
                "questions": [_vary(q, rng) for q in base.questions], "checked": base.checked.isoformat()}
        topic = folder / "snippets" / f"t{n // 1000:03d}"
        topic.mkdir(exist_ok=True)
        (topic / f"s{n:06d}.md").write_text(f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n{body}\n")


def _sentences(body: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", body.strip()) if s]


def _vary(text: str, rng: random.Random) -> str:
    text = WORD.sub(lambda m: rng.choice(SYNONYMS[m.group(1)]), text)
    return NUMBER.sub(lambda m: str(max(1, int(m.group(0)) + rng.randint(-3, 3))), text)


def measure(size: int, workdir: Path, questions: list[str], progress=print) -> dict:
    knowledge_dir, index_dir = workdir / f"k{size}", workdir / f"i{size}"
    progress(f"{size}: generating")
    started = time.perf_counter()
    generate(load_knowledge(ROOT / "knowledge"), size, knowledge_dir)
    generate_s = time.perf_counter() - started
    progress(f"{size}: building")
    started = time.perf_counter()
    built = subprocess.run([sys.executable, "-m", "bot", "build", "--knowledge", str(knowledge_dir),
                            "--index", str(index_dir)], cwd=ROOT, capture_output=True, text=True)
    if built.returncode != 0:
        raise RuntimeError(f"build of {size} snippets failed: {built.stderr.strip().splitlines()[-1:]}")
    build_s = time.perf_counter() - started
    progress(f"{size}: querying")
    out = subprocess.run([sys.executable, "-m", "bot.measure.scale_probe", str(knowledge_dir), str(index_dir)],
                         input=json.dumps(questions),
                         capture_output=True, text=True, check=True, cwd=ROOT)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    size_mb = sum(p.stat().st_size for p in (index_dir / "current").rglob("*") if p.is_file()) / 1e6
    shutil.rmtree(knowledge_dir, ignore_errors=True)
    return {"snippets": size, "generate_s": round(generate_s, 1), "build_s": round(build_s, 1),
            "index_mb": round(size_mb, 1), **{k: round(v, 3) if isinstance(v, float) else v for k, v in row.items()}}


def table(rows: list[dict]) -> str:
    head = ("| snippets | build (s) | index size (MB) | load (s) | query p50 (ms) | query p95 (ms) | "
            "BM25 p50 (ms) | vector p50 (ms) | FAISS | RSS (MB) |\n|---|---|---|---|---|---|---|---|---|---|")
    lines = [f"| {r['snippets']:,} | {r['build_s']} | {r['index_mb']} | {r['load_s']} | {r['query_p50_ms']} | "
             f"{r['query_p95_ms']} | {r['bm25_p50_ms']} | {r['vector_p50_ms']} | {r['faiss']} | {r['rss_mb']:.0f} |"
             for r in rows]
    return "\n".join([head, *lines])
