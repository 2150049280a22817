"""Child program of `python -m bot scale`: load one synthetic base, time its searches, report.

Run as `python -m bot.measure.scale_probe KNOWLEDGE_DIR INDEX_DIR` with a JSON list of questions on
stdin; prints one JSON line (load time, search percentiles, BM25 and vector times, memory).
"""

from __future__ import annotations

import json
import resource
import statistics
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> None:
    started = time.perf_counter()
    from bot.engine import Engine  # timed: loading is part of what a larger base costs
    from bot.settings import Settings

    engine = Engine(Settings(knowledge_dir=Path(argv[0]), index_dir=Path(argv[1]), answer_cache=0))
    load_s = time.perf_counter() - started
    questions = json.loads(sys.stdin.read())
    for question in questions[:10]:
        engine.retriever.search(question)
    engine.retriever.vectors.clear()
    search, bm25, dense = [], [], []
    for question in questions:
        timings = engine.retriever.search(question).timings
        search.append(sum(timings.values()))
        bm25.append(timings["bm25"])
        dense.append(timings["vector_search"])
    search.sort()
    print(json.dumps({"load_s": load_s, "query_p50_ms": statistics.median(search),
                      "query_p95_ms": search[int(0.95 * (len(search) - 1))], "bm25_p50_ms": statistics.median(bm25),
                      "vector_p50_ms": statistics.median(dense),
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "faiss": engine.index.manifest["faiss"]}))


if __name__ == "__main__":
    main(sys.argv[1:])
