"""Load tests of the production server on loopback: wrk (Debian's package), slow clients.

`python -m bot loadtest` starts gunicorn with web/gunicorn.conf.py on a free port, waits until
/readyz answers, drives POST /api/ask at a fixed concurrency for a fixed time with a mix of repeated
questions (the kiosk's suggestion buttons) and unique ones, then stops everything.

    python -m bot.measure.loadtest --compare [--rounds 3] [--connections 16] [--seconds 20]
        the same gunicorn driven by wrk directly and through nginx (deploy/nginx.conf), alternately,
        `rounds` times each: median answers/s of each and their ratio
    python -m bot.measure.loadtest --slow 256 [--requests 150] [--hold 30] [--rounds 2] [--direct]
        a normal client's /api/ask latency through nginx, alone and while `--slow` sockets are held
        open (a third send one byte then nothing, a third their headers at 1 byte/s, a third their body
        at 1 byte/s; one the server closes is opened again at once); `--direct`: against gunicorn alone

Bounded in time twice over: wrk's own --duration and every request's timeout, and a timeout on every
process it starts. Figures are medians and ratios of one run (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.measure.servers import HOST, servers
from bot.measure.slow_clients import report_slow, slow
from bot.settings import ROOT

LUA = """
local repeated = {%(repeated)s}
local unique = {%(unique)s}
local counter = 0
local share = %(repeat_share)s
local tag = "%(tag)s"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body
  if (counter %% 100) < share * 100 then
    body = '{"question": "' .. repeated[(counter %% #repeated) + 1] .. '"}'
  else
    body = '{"question": "' .. unique[(counter %% #unique) + 1] .. ' (' .. tag .. counter .. ')"}'
  end
  return wrk.format(nil, "/api/ask", nil, body)
end
"""
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run(repeated: list[str], unique: list[str], connections: int = 16, seconds: int = 20,
        repeat_share: float = 0.5, env: dict | None = None, progress=lambda m: None, proxy: bool = False) -> dict:
    """wrk against gunicorn on loopback (through nginx when `proxy`)."""
    _need_wrk()
    with tempfile.TemporaryDirectory() as tmp, servers(env, proxy, progress) as ports:
        script = _script(Path(tmp), repeated, unique, repeat_share)
        url = f"http://{HOST}:{ports['proxy' if proxy else 'direct']}"
        progress("warming up the workers")
        _wrk(url, script, connections, 3)
        progress(f"wrk: {connections} connections for {seconds} s, {round(repeat_share * 100)}% repeated questions")
        result = parse(_wrk(url, script, connections, seconds))
    return _describe(result, connections, seconds, repeat_share, env, proxy)


def compare(repeated: list[str], unique: list[str], connections: int = 16, seconds: int = 20, rounds: int = 3,
            repeat_share: float = 0.5, env: dict | None = None, progress=lambda m: None) -> dict:
    """The same gunicorn driven by wrk directly and through nginx, alternately, `rounds` times each."""
    _need_wrk()
    runs: dict[str, list[dict]] = {"direct": [], "proxy": []}
    with tempfile.TemporaryDirectory() as tmp, servers(env, True, progress) as ports:
        for kind in ("direct", "proxy"):  # warm-up
            _wrk(f"http://{HOST}:{ports[kind]}", _script(Path(tmp), repeated, unique, repeat_share, f"w{kind}-"),
                 connections, 3)
        for n in range(rounds):
            for kind in ("direct", "proxy") if n % 2 == 0 else ("proxy", "direct"):
                progress(f"round {n + 1}/{rounds}: wrk {kind}, {connections} connections for {seconds} s")
                script = _script(Path(tmp), repeated, unique, repeat_share, f"r{n}{kind}-")
                runs[kind].append(parse(_wrk(f"http://{HOST}:{ports[kind]}", script, connections, seconds)))
    summary = {kind: {"answers_per_s": [r["answers_per_s"] for r in rs], "p50_ms": [r["p50_ms"] for r in rs],
                      "p99_ms": [r["p99_ms"] for r in rs], "errors": sum(r["errors"] for r in rs),
                      "median_answers_per_s": statistics.median(r["answers_per_s"] for r in rs),
                      "median_p50_ms": statistics.median(r["p50_ms"] or 0 for r in rs)}
               for kind, rs in runs.items()}
    ratio = summary["proxy"]["median_answers_per_s"] / max(summary["direct"]["median_answers_per_s"], 1e-9)
    return {**summary, "proxy_over_direct": round(ratio, 3), "rounds": rounds, "connections": connections,
            "seconds": seconds, "repeat_share": repeat_share, "cores": os.cpu_count()}


def parse(out: str) -> dict:
    """Throughput, latency percentiles and errors from wrk's --latency report."""
    def latency(pct: str) -> float | None:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return round(float(match.group(1)) * UNIT[match.group(2)], 3) if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": int(total.group(1)) if total else 0,
            "answers_per_s": float(rps.group(1)) if rps else 0.0,
            "p50_ms": latency("50"), "p75_ms": latency("75"), "p90_ms": latency("90"), "p99_ms": latency("99"),
            "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0),
            "wrk": out}


def report(result: dict) -> str:
    through = "through nginx; " if result.get("proxy") else ""
    return (f"{result['cores']} cores; {through}gunicorn {result['workers']} workers x {result['threads']} threads; "
            f"{result['connections']} connections for {result['seconds']} s; "
            f"{round(result['repeat_share'] * 100)}% repeated questions\n"
            f"{result['requests']} answers, {result['answers_per_s']:.0f} answers/s, errors {result['errors']}\n"
            f"latency p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms")


def report_compare(result: dict) -> str:
    d, p = result["direct"], result["proxy"]
    return (f"{result['cores']} cores; wrk {result['connections']} connections, {result['seconds']} s per run, "
            f"{result['rounds']} runs each, alternating\n"
            f"direct gunicorn: answers/s {d['answers_per_s']} (median {d['median_answers_per_s']:.0f}), "
            f"p50 ms {d['p50_ms']}, errors {d['errors']}\n"
            f"through nginx:   answers/s {p['answers_per_s']} (median {p['median_answers_per_s']:.0f}), "
            f"p50 ms {p['p50_ms']}, errors {p['errors']}\n"
            f"nginx / direct throughput: {result['proxy_over_direct']:.3f}")


def _describe(result: dict, connections, seconds, repeat_share, env, proxy) -> dict:
    env = env or {}
    result.update({"connections": connections, "seconds": seconds, "repeat_share": repeat_share, "proxy": proxy,
                   "workers": int(env.get("BOT_WORKERS") or os.environ.get("BOT_WORKERS") or 2),
                   "threads": int(env.get("BOT_THREADS") or os.environ.get("BOT_THREADS") or 4),
                   "embed_threads": int(env.get("BOT_EMBED_THREADS") or os.environ.get("BOT_EMBED_THREADS") or 1),
                   "cores": os.cpu_count()})
    return result


def _need_wrk() -> None:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")


def _script(folder: Path, repeated: list[str], unique: list[str], repeat_share: float, tag: str = "") -> Path:
    """wrk's request mix; `tag` makes the unique questions of one run unlike any other run's, so a
    later run finds none of them in the answer cache (the repeated ones are cached for every run)."""
    script = folder / f"mix{tag}.lua"
    script.write_text(LUA % {"repeated": _lua_list(repeated), "unique": _lua_list(unique),
                             "repeat_share": repeat_share, "tag": tag})
    return script


def _wrk(url: str, script: Path, connections: int, seconds: int) -> str:
    return subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                          capture_output=True, text=True, timeout=seconds + 30, check=True).stdout


def _lua_list(items: list[str]) -> str:
    return ", ".join("[==[" + json.dumps(q)[1:-1] + "]==]" for q in items)


def questions(settings) -> tuple[list[str], list[str]]:
    """(the kiosk's starter questions, repeated; the dev set's answerable questions, made unique)."""
    from bot.knowledge.load import load_knowledge
    from bot.measure.evaluate import load_cases

    unique = list(dict.fromkeys(c.question for c in load_cases(ROOT / "tests" / "data" / "dev_questions.jsonl")
                                if c.kind == "answer"))
    return list(load_knowledge(settings.knowledge_dir).messages["starter_questions"]), unique


def main(argv: list[str] | None = None) -> int:
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bot.measure.loadtest", description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--compare", action="store_true", help="wrk directly and through nginx, alternately")
    mode.add_argument("--slow", type=int, metavar="N", help="a normal client with N slow sockets held open")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=None, help="alternating runs of each kind (3 for --compare, 2 for --slow)")
    parser.add_argument("--requests", type=int, default=150, help="--slow: questions per phase")
    parser.add_argument("--hold", type=float, default=30.0, help="--slow: seconds each phase lasts")
    parser.add_argument("--direct", action="store_true", help="--slow: against gunicorn alone (no nginx)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    repeated, unique = questions(settings)
    env = {"BOT_KNOWLEDGE_DIR": str(settings.knowledge_dir), "BOT_INDEX_DIR": str(settings.index_dir)}
    say = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    try:
        if args.compare:
            result = compare(repeated, unique, args.connections, args.seconds, args.rounds or 3, env=env, progress=say)
            text, failed = report_compare(result), result["direct"]["errors"] + result["proxy"]["errors"]
        else:
            result = slow(unique, args.slow, args.requests, args.rounds or 2, args.direct,
                          timeout=10.0 if args.direct else 30.0, hold=args.hold, env=env, progress=say)
            text, failed = report_slow(result), result["slow"]["sent"] - result["slow"]["answered"]
    except (RuntimeError, TimeoutError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else text)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
