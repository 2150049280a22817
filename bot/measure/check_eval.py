"""Per-verdict precision and recall, macro-F1 and a confusion matrix for the clinician check."""

from __future__ import annotations

from bot.check.checker import VERDICTS
from bot.enums import Verdict
from bot.errors import InputError
from bot.measure.evaluate import read_jsonl


def load_check_cases(path) -> list[dict]:
    cases = []
    for number, row in read_jsonl(path, "check"):
        try:
            text, verdict = row["text"], row["verdict"]
        except KeyError as exc:
            raise InputError(f"{path}:{number}: not a check line (missing {exc})") from None
        if verdict not in VERDICTS:
            raise InputError(f"{path}:{number}: verdict '{verdict}' is not one of {', '.join(VERDICTS)}")
        cases.append({"text": text, "verdict": verdict})
    return cases


def evaluate_check(engine, cases: list[dict]) -> dict:
    rows = []
    for case in cases:
        result = engine.check(case["text"])
        rows.append({"text": case["text"], "expected": case["verdict"], "predicted": result.verdict,
                     "explanation": result.explanation})
    return score(rows)


def score(rows: list[dict]) -> dict:
    confusion = {e: {p: 0 for p in VERDICTS} for e in VERDICTS}
    for row in rows:
        confusion[row["expected"]][row["predicted"]] += 1
    per_verdict, f1s = {}, []
    for v in VERDICTS:
        tp = confusion[v][v]
        predicted = sum(confusion[e][v] for e in VERDICTS)
        actual = sum(confusion[v].values())
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_verdict[v] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "support": actual}
        if actual:
            f1s.append(f1)
    accuracy = sum(confusion[v][v] for v in VERDICTS) / len(rows) if rows else 0.0
    consistent = Verdict.CONSISTENT
    return {"n": len(rows), "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
            "accuracy": round(accuracy, 4), "per_verdict": per_verdict, "confusion": confusion,
            # careful sentences the check would flag: what costs a clinician's trust
            "consistent_flagged": sum(n for p, n in confusion[consistent].items() if p != consistent),
            "per_sentence": rows}


def report_check(result: dict, worst: int = 15) -> str:
    lines = [f"n {result['n']}  macro-F1 {result['macro_f1']}  accuracy {result['accuracy']}  "
             f"consistent flagged {result['consistent_flagged']} of {result['per_verdict']['consistent']['support']}", "",
             f"{'verdict':<14}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>5}"]
    for v, m in result["per_verdict"].items():
        lines.append(f"{v:<14}{m['precision']:>10}{m['recall']:>8}{m['f1']:>8}{m['support']:>5}")
    lines += ["", "confusion (rows expected, columns predicted):",
              " " * 14 + "".join(f"{v[:6]:>8}" for v in VERDICTS)]
    for e in VERDICTS:
        lines.append(f"{e:<14}" + "".join(f"{result['confusion'][e][p]:>8}" for p in VERDICTS))
    misses = [r for r in result["per_sentence"] if r["expected"] != r["predicted"]]
    if misses:
        lines.append(f"\nmisses ({len(misses)}; first {min(worst, len(misses))}):")
        lines += [f"- expected {r['expected']}, got {r['predicted']}: {r['text']}" for r in misses[:worst]]
    return "\n".join(lines)
