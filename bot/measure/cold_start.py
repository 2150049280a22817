"""Child program of `python -m bot bench`: start an engine, answer the questions on stdin, report.

Run as `python -m bot.measure.cold_start START QUESTION` with a JSON list of questions on stdin;
prints one JSON line with the time from START (the parent's clock) to the first answer and the
peak memory of this process.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(argv: list[str]) -> None:
    start, first_question = float(argv[0]), argv[1]
    from bot.engine import Engine  # timed: importing the engine is part of a cold start
    from bot.settings import Settings

    engine = Engine(Settings.from_env())
    engine.ask(first_question)
    first = time.time() - start
    for question in json.loads(sys.stdin.read()):
        engine.ask(question)
    print(json.dumps({"cold_start_s": first, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main(sys.argv[1:])
