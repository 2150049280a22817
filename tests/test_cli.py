"""The command line, in process, with the fake embedder (fast) and the fixture knowledge."""

import json
import subprocess
import sys

import pytest

import bot.engine
from bot.cli import main
from tests.conftest import DATA, FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder


@pytest.fixture
def fake_model(monkeypatch):
    monkeypatch.setattr(bot.engine, "default_embedder", lambda settings: HashEmbedder())


@pytest.fixture
def cli_index(tmp_path, fake_model):
    folder = tmp_path / "index"
    assert main(["build", "--knowledge", str(FIXTURE_KNOWLEDGE), "--index", str(folder)]) == 0
    return ["--knowledge", str(FIXTURE_KNOWLEDGE), "--index", str(folder)]


def test_build_then_ask_json_prints_the_contract(cli_index, capsys):
    capsys.readouterr()
    assert main(["ask", "does ketamine help fibro", "--json", *cli_index]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "answer" and data["snippets"][0]["id"] == "fibro"


def test_options_work_before_the_command_too(cli_index, capsys):
    assert main([*cli_index, "ask", "bladder pain", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["snippets"]


def test_build_if_stale_skips_a_fresh_index(cli_index, capsys):
    assert main(["build", "--if-stale", *cli_index]) == 0
    assert "up to date" in capsys.readouterr().err


@pytest.mark.parametrize("question", ["", "   ", "\x00\x01"])
def test_empty_question_is_a_usage_error(cli_index, capsys, question):
    assert main(["ask", question, *cli_index]) == 2
    err = capsys.readouterr().err
    assert err == "error: the question is empty\n"


def test_very_long_question_is_refused_in_one_line_not_cut(cli_index, capsys):
    assert main(["ask", "ketamine bladder " * 600, "--json", *cli_index]) == 2
    assert capsys.readouterr().err == "error: the question is too long (at most 2,000 characters)\n"


def test_a_bad_setting_is_one_line_naming_the_variable(cli_index, capsys, monkeypatch):
    monkeypatch.setenv("BOT_ANSWER_CACHE", "lots")
    assert main(["ask", "pain", *cli_index]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: BOT_ANSWER_CACHE='lots': ") and err.count("\n") == 1


def test_missing_index_is_one_line_with_the_fix(tmp_path, fake_model, capsys):
    code = main(["ask", "pain", "--knowledge", str(FIXTURE_KNOWLEDGE), "--index", str(tmp_path / "none")])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1
    assert "no index at" in err and "python -m bot build --knowledge" in err


def test_broken_yaml_is_one_line(knowledge_copy, tmp_path, fake_model, capsys):
    (knowledge_copy / "sources.yaml").write_text("- {broken: [yaml\n")
    assert main(["build", "--knowledge", str(knowledge_copy), "--index", str(tmp_path / "i")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "sources.yaml" in err and err.count("\n") == 1


def test_lint_exit_codes(knowledge_copy, capsys):
    assert main(["lint", "--knowledge", str(FIXTURE_KNOWLEDGE)]) == 0
    snippet = knowledge_copy / "snippets" / "evidence" / "fibro.md"
    snippet.write_text(snippet.read_text().replace("certainty: very-low", "certainty: sure"))
    assert main(["lint", "--knowledge", str(knowledge_copy)]) == 1
    assert f"{snippet}: certainty: 'sure' is not one of" in capsys.readouterr().out


def test_eval_json_has_the_keys_outside_tools_read(cli_index, tmp_path, capsys):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(row) for row in [
        {"question": "does ketamine help fibro", "expected": ["fibro"], "kind": "answer"},
        {"question": "bladder pain from ketamine", "expected": ["bladder"], "kind": "answer"},
        {"question": "what is the weather tomorrow", "expected": [], "kind": "out_of_scope"},
        {"question": "I want to end my life", "expected": [], "kind": "crisis"},
    ]))
    capsys.readouterr()
    assert main(["eval", "--questions", str(questions), "--json", *cli_index]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("n", "recall_at_1", "recall_at_3", "mrr", "abstention_accuracy", "latency_p50_ms",
                "latency_p95_ms", "per_question", "safety_accuracy", "crisis_recall",
                "emergency_recall", "end_to_end_p50_ms"):
        assert key in result
    assert result["n"] == 4 and result["recall_at_3"] == 1.0 and result["crisis_recall"] == 1.0
    row = result["per_question"][0]
    assert set(row) >= {"question", "expected", "returned", "kind"} and row["returned"][0] == "fibro"


def test_eval_rejects_a_bad_question_file(cli_index, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x"}\nnot json\n')
    assert main(["eval", "--questions", str(bad), *cli_index]) == 2
    assert f"{bad}:2: not a question line" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


def test_non_utf8_bytes_in_a_real_process_give_no_traceback(tmp_path):
    # A real process, so argv really arrives as undecodable bytes: nothing readable is left.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", b"\xff\xfe", "--knowledge", str(DATA / "knowledge"),
         "--index", str(tmp_path / "missing")], capture_output=True)
    assert result.returncode == 2
    assert result.stderr == b"error: the question is empty\n"


def test_check_command_prints_a_verdict_and_json(cli_index, capsys):
    capsys.readouterr()
    assert main(["check", "Ketamine is a proven cure for fibromyalgia.", "--json", *cli_index]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "overstated" and data["suggested_phrasing"]
    assert main(["check", "   ", *cli_index]) == 2


def test_eval_check_reports_macro_f1_and_confusion(cli_index, tmp_path, capsys):
    sentences = tmp_path / "check.jsonl"
    sentences.write_text("\n".join(json.dumps(row) for row in [
        {"text": "Ketamine is a proven cure for fibromyalgia.", "verdict": "overstated"},
        {"text": "Gabapentin is the best choice for nerve pain.", "verdict": "not_covered"},
    ]))
    capsys.readouterr()
    assert main(["eval", "--check", "--questions", str(sentences), "--json", *cli_index]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["macro_f1"] == 1.0 and result["confusion"]["overstated"]["overstated"] == 1
    assert set(result["per_verdict"]) == {"consistent", "overstated", "understated", "contradicted", "not_covered"}
    sentences.write_text('{"text": "x", "verdict": "maybe"}\n')
    assert main(["eval", "--check", "--questions", str(sentences), *cli_index]) == 2
    assert "verdict 'maybe' is not one of" in capsys.readouterr().err
