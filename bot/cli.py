"""Command line: python -m bot {build,lint,ask,eval,...}. Errors are one line, never a traceback."""

from __future__ import annotations

import argparse
import json
import sys
import typing
from pathlib import Path

from bot.errors import BotError, InputError
from bot.served_index import install_artifact, server_pid, verify_served_index
from bot.settings import ROOT, Settings
from bot.terminal import format_answer, format_check

DEV_QUESTIONS = ROOT / "tests" / "data" / "dev_questions.jsonl"
CHECK_QUESTIONS = ROOT / "tests" / "data" / "check_questions.jsonl"


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        settings = Settings.from_env(knowledge_dir=getattr(args, "knowledge", None),
                                     index_dir=getattr(args, "index", None))
        return args.handler(args, settings)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def choices(field: str) -> tuple[str, ...]:
    """The values a settings field allows (its Literal type), for --mode and --locale."""
    return typing.get_args(Settings.model_fields[field].annotation)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: given before or after the command, the value is kept (subparsers don't reset it).
    common.add_argument("--knowledge", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                        help="knowledge folder (default: knowledge/)")
    common.add_argument("--index", type=Path, metavar="DIR", default=argparse.SUPPRESS,
                        help="index folder (default: index/)")
    parser = argparse.ArgumentParser(prog="python -m bot", parents=[common],
                                     description="Ketamine and NMDA-antagonist evidence chatbot engine.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", parents=[common], help="build the search index from knowledge/")
    build.add_argument("--if-stale", action="store_true", help="only build when missing or out of date")
    build.add_argument("--export", type=Path, metavar="DIR",
                       help="also write the generation served as an artifact DIR/index-<id>.tar.gz")
    build.add_argument("--from", dest="artifact", type=Path, metavar="FILE",
                       help="install an artifact made by --export (checked, then made current) instead of building")
    build.set_defaults(handler=cmd_build)

    lint = sub.add_parser("lint", parents=[common], help="check the knowledge base")
    lint.add_argument("--review-months", type=int, help="warn when a check date is older (default 12)")
    lint.set_defaults(handler=cmd_lint)

    ask = sub.add_parser("ask", parents=[common], help="answer a question (no question: interactive)")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--json", action="store_true", help="print the API's JSON shape")
    ask.add_argument("--history", action="append", default=[], metavar="Q", help="an earlier question (repeatable)")
    ask.add_argument("--mode", choices=choices("mode"))
    ask.add_argument("--locale", choices=choices("locale"))
    ask.set_defaults(handler=cmd_ask)

    check = sub.add_parser("check", parents=[common], help="check a clinician's sentence against the evidence")
    check.add_argument("text", nargs="?")
    check.add_argument("--json", action="store_true")
    check.set_defaults(handler=cmd_check)

    ev = sub.add_parser("eval", parents=[common], help="measure retrieval, abstention and safety routing")
    ev.add_argument("--questions", type=Path, default=DEV_QUESTIONS, metavar="FILE", help="JSONL question set")
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--fusion", choices=("rrf", "convex"), help="override the fusion method")
    ev.add_argument("--bar", type=float, help="override the relevance bar (cosine)")
    ev.add_argument("--check", action="store_true", help="evaluate the clinician check on tests/data/check_questions.jsonl")
    ev.add_argument("--cross", action="store_true",
                    help="train the router without each question set in turn and score that set (first-run figures)")
    ev.set_defaults(handler=cmd_eval)

    bench = sub.add_parser("bench", parents=[common], help="per-stage timings, percentiles, cold start, memory")
    bench.add_argument("--questions", type=Path, default=DEV_QUESTIONS, metavar="FILE", help="JSONL question set")
    bench.add_argument("--repeats", type=int, default=5)
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(handler=cmd_bench)

    reload = sub.add_parser("reload", parents=[common],
                            help="check the index, then make the running web server (gunicorn) restart its workers")
    reload.add_argument("--pidfile", type=Path, metavar="FILE",
                        help="gunicorn's pid file (default: BOT_PIDFILE or .cache/run/gunicorn.pid)")
    reload.set_defaults(handler=cmd_reload)

    load = sub.add_parser("loadtest", parents=[common], help="load test the production server with wrk")
    load.add_argument("--connections", type=int, default=16)
    load.add_argument("--seconds", type=int, default=20)
    load.add_argument("--repeat-share", type=float, default=0.5, help="share of repeated (kiosk button) questions")
    load.add_argument("--json", action="store_true")
    load.set_defaults(handler=cmd_loadtest)

    feedback = sub.add_parser("feedback", help="'Was this helpful?' counts per snippet and reply kind")
    feedback.add_argument("--store", metavar="FILE",
                          help="the feedback store (default: BOT_FEEDBACK_STORE or var/feedback.sqlite3)")
    feedback.add_argument("--json", action="store_true")
    feedback.set_defaults(handler=cmd_feedback)

    scale = sub.add_parser("scale", parents=[common], help="scale study on synthetic evidence bases")
    scale.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    scale.add_argument("--workdir", type=Path, default=ROOT / ".cache" / "scale", metavar="DIR")
    scale.add_argument("--questions", type=Path, default=DEV_QUESTIONS, metavar="FILE")
    scale.add_argument("--json", action="store_true")
    scale.set_defaults(handler=cmd_scale)
    return parser


def cmd_build(args, settings: Settings) -> int:
    from bot.engine import build_index, default_embedder, index_is_fresh
    from bot.index import artifact, generations

    if args.artifact:
        generation = install_artifact(args.artifact, settings)
        print(f"installed {args.artifact} into {settings.index_dir}: generation {generation} (current)")
    else:
        embedder = default_embedder(settings)
        if args.if_stale and index_is_fresh(settings, embedder):
            print(f"index at {settings.index_dir} is up to date", file=sys.stderr)
        else:
            manifest = build_index(settings, embedder, progress=lambda m: print(m, file=sys.stderr, flush=True))
            previous = f"; previous {manifest['previous']}" if manifest.get("previous") else ""
            print(f"built {settings.index_dir}: generation {manifest['generation']} (current{previous}), "
                  f"{manifest['snippet_count']} snippets, model {manifest['model_id']}, {manifest['build_seconds']:.1f} s")
    if args.export:
        folder = generations.resolve(settings.index_dir)
        if folder is None:
            raise BotError(f"no index at {settings.index_dir} to export")
        print(f"exported {artifact.export(folder, args.export)}")
    return 0


def cmd_lint(args, settings: Settings) -> int:
    from bot.knowledge.lint import lint

    problems = lint(settings.knowledge_dir, args.review_months or settings.review_months)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.level == "error"]
    warnings = len(problems) - len(errors)
    print(f"{len(errors)} problem(s), {warnings} warning(s) in {settings.knowledge_dir}", file=sys.stderr)
    return 1 if errors else 0


def cmd_ask(args, settings: Settings) -> int:
    from bot.engine import Engine
    from bot.text import normalize

    if args.question is None and not sys.stdin.isatty():
        args.question = sys.stdin.buffer.read().decode("utf-8", "replace")
    if args.question is not None and not normalize(args.question):
        raise InputError("the question is empty")
    engine = Engine(settings)
    if args.question is None:
        return _interactive(engine, args)
    answer = engine.ask(args.question, history=args.history, mode=args.mode, locale=args.locale)
    print(json.dumps(answer.to_json(), indent=2, ensure_ascii=False) if args.json else format_answer(answer))
    return 0


def _interactive(engine, args) -> int:
    history: list[str] = []
    print("Ask about ketamine and similar medicines for long-lasting pain. Ctrl-D to stop.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            continue
        answer = engine.ask(question, history=history, mode=args.mode, locale=args.locale)
        print(format_answer(answer))
        history = (history + [question])[-engine.settings.max_history:]


def cmd_check(args, settings: Settings) -> int:
    from bot.engine import Engine

    if args.text is None and not sys.stdin.isatty():
        args.text = sys.stdin.buffer.read().decode("utf-8", "replace")
    if not args.text or not args.text.strip():
        raise InputError("the text is empty")
    result = Engine(settings).check(args.text)
    print(json.dumps(result.to_json(), indent=2, ensure_ascii=False) if args.json else format_check(result))
    return 0


def cmd_eval(args, settings: Settings) -> int:
    from dataclasses import replace

    from bot.engine import Engine
    from bot.measure.evaluate import evaluate, load_cases, report
    from bot.search.retrieve import RetrievalConfig

    if args.check:
        from bot.measure.check_eval import evaluate_check, load_check_cases, report_check

        path = args.questions if args.questions != DEV_QUESTIONS else CHECK_QUESTIONS
        result = evaluate_check(Engine(settings), load_check_cases(path))
        print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else report_check(result))
        return 0
    if args.cross:
        from bot.measure.cross import cross
        from bot.measure.cross import report as cross_report

        results = cross(Engine(settings), progress=lambda m: print(m, file=sys.stderr, flush=True))
        print(json.dumps(results, indent=2, ensure_ascii=False) if args.json else cross_report(results))
        return 0
    cases = load_cases(args.questions)
    config = RetrievalConfig()
    if args.fusion:
        config = replace(config, fusion=args.fusion)
    if args.bar is not None:
        config = replace(config, min_similarity=args.bar)
    result = evaluate(Engine(settings, retrieval=config), cases)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else report(result))
    return 0


def cmd_bench(args, settings: Settings) -> int:
    from bot.measure import bench
    from bot.measure.evaluate import load_cases

    questions = list(dict.fromkeys(c.question for c in load_cases(args.questions) if c.kind == "answer"))
    if not questions:
        raise InputError(f"{args.questions}: no answerable questions to time")
    result = bench.run(settings, questions, repeats=max(1, args.repeats),
                       progress=lambda m: print(m, file=sys.stderr, flush=True))
    print(json.dumps(result, indent=2) if args.json else bench.report(result))
    return 0


def cmd_reload(args, settings: Settings) -> int:
    """Check the index generation the new workers would load, then SIGHUP the gunicorn master: new
    workers load it, old ones finish their requests. A broken index gets no signal (exit 1)."""
    import os
    import signal

    path = args.pidfile or Path(os.environ.get("BOT_PIDFILE") or ROOT / ".cache" / "run" / "gunicorn.pid")
    pid = server_pid(path)
    generation = verify_served_index(settings)
    try:
        os.kill(pid, signal.SIGHUP)
    except ProcessLookupError:
        raise BotError(f"no running server: process {pid} from {path} has ended") from None
    print(f"asked the server (gunicorn, pid {pid}) to reload: new workers load index generation {generation}, "
          "old ones finish first")
    return 0


def cmd_feedback(args, settings: Settings) -> int:
    """Print the yes/no counts for curators (no question text is ever stored)."""
    from dataclasses import asdict

    from bot.feedback import format_counts, open_feedback_store

    rows = open_feedback_store(args.store or settings.feedback_store, settings.redis_url).counts()
    print(json.dumps([asdict(r) for r in rows], indent=2) if args.json else format_counts(rows))
    return 0


def cmd_scale(args, settings: Settings) -> int:
    from bot.measure import scale
    from bot.measure.evaluate import load_cases

    questions = list(dict.fromkeys(c.question for c in load_cases(args.questions) if c.kind == "answer"))
    rows = [scale.measure(size, args.workdir, questions, progress=lambda m: print(m, file=sys.stderr, flush=True))
            for size in args.sizes]
    print(json.dumps(rows, indent=2) if args.json else scale.table(rows))
    return 0


def cmd_loadtest(args, settings: Settings) -> int:
    from bot.measure import loadtest

    repeated, unique = loadtest.questions(settings)
    env = {"BOT_KNOWLEDGE_DIR": str(settings.knowledge_dir), "BOT_INDEX_DIR": str(settings.index_dir)}
    try:
        result = loadtest.run(repeated, unique, args.connections, args.seconds, args.repeat_share, env,
                              progress=lambda m: print(m, file=sys.stderr, flush=True))
    except RuntimeError as exc:
        raise BotError(str(exc)) from None
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "wrk"}, indent=2))
    else:
        print(loadtest.report(result))
    return 0 if result["errors"] == 0 else 1
