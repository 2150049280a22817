"""`python -m bot reload`: check the index, then SIGHUP to the gunicorn master named in the pid file,
or a clear one-line error and no signal.

The real reload under load is in tests/test_web_live.py; these are the ways it must refuse.
"""

import os
import runpy
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import bot.engine
import bot.index.store
from bot.cli import main
from bot.engine import build_index
from bot.index import generations
from bot.settings import ROOT, Settings
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder
from tests.test_index import writable


def reload(pidfile, capsys, extra=()) -> tuple[int, str]:
    code = main(["reload", "--pidfile", str(pidfile), *extra])
    return code, capsys.readouterr().err


def test_no_pid_file_means_no_server(tmp_path, capsys):
    code, err = reload(tmp_path / "none.pid", capsys)
    assert code == 1 and "no running server" in err and "make run" in err


def test_a_pid_file_without_a_number(tmp_path, capsys):
    (tmp_path / "g.pid").write_text("gunicorn\n")
    code, err = reload(tmp_path / "g.pid", capsys)
    assert code == 1 and "does not hold a process id" in err


def test_a_stale_pid_is_refused(tmp_path, capsys):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / "g.pid").write_text(ended.stdout)
    code, err = reload(tmp_path / "g.pid", capsys)
    assert code == 1 and "has ended" in err


def test_a_pid_that_is_not_gunicorn_gets_no_signal(tmp_path, capsys):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "g.pid").write_text(f"{sleeper.pid}\n")
        code, err = reload(tmp_path / "g.pid", capsys)
        assert code == 1 and "is not gunicorn" in err
        assert sleeper.poll() is None  # still running: no SIGHUP was sent (it would have ended it)
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.fixture
def fake_gunicorn():
    """A process whose command line says gunicorn, once it really does: /proc/<pid>/cmdline of a child
    just started may still be the parent's until it has exec'd, so wait for it (bounded)."""
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "gunicorn"])
    deadline = time.monotonic() + 10
    while b"gunicorn" not in Path(f"/proc/{fake.pid}/cmdline").read_bytes():
        assert time.monotonic() < deadline, "the child never exec'd"
        time.sleep(0.01)
    yield fake
    fake.kill()
    fake.wait()


@pytest.fixture
def index_args(tmp_path, monkeypatch):
    monkeypatch.setattr(bot.engine, "default_embedder", lambda settings: HashEmbedder())
    build_index(Settings(knowledge_dir=FIXTURE_KNOWLEDGE, index_dir=tmp_path / "index"), HashEmbedder())
    return ["--knowledge", str(FIXTURE_KNOWLEDGE), "--index", str(tmp_path / "index")]


def test_the_signal_goes_to_the_pid_in_the_file(tmp_path, capsys, monkeypatch, fake_gunicorn, index_args):
    monkeypatch.setenv("BOT_PIDFILE", str(tmp_path / "g.pid"))
    (tmp_path / "g.pid").write_text(f"{fake_gunicorn.pid}\n")
    assert main(["reload", *index_args]) == 0
    assert fake_gunicorn.wait(timeout=10) == -signal.SIGHUP
    out = capsys.readouterr().out
    assert f"pid {fake_gunicorn.pid}" in out and generations.pointer_id(tmp_path / "index") in out


def break_vectors(index_dir: Path) -> None:
    path = writable(generations.resolve(index_dir)) / "vectors.faiss"
    path.write_bytes(path.read_bytes()[:100])


@pytest.mark.parametrize("fault", ["vectors truncated", "no index", "another model", "format of older code"])
def test_a_broken_index_gets_no_signal(tmp_path, capsys, monkeypatch, fake_gunicorn, index_args, fault):
    index_dir = tmp_path / "index"
    if fault == "vectors truncated":
        break_vectors(index_dir)
        reason = "vectors.faiss is corrupt"
    elif fault == "no index":
        generations.remove(index_dir)
        reason = "no index at"
    elif fault == "another model":
        build_index(Settings(knowledge_dir=FIXTURE_KNOWLEDGE, index_dir=index_dir), HashEmbedder(model_id="other@1"))
        reason = "built with model other@1"
    else:
        monkeypatch.setattr(bot.index.store, "INDEX_FORMAT", bot.index.store.INDEX_FORMAT + 1)
        reason = "this code reads"  # the code was updated (git pull), the index not rebuilt
    (tmp_path / "g.pid").write_text(f"{fake_gunicorn.pid}\n")
    signals = []
    with monkeypatch.context() as patch:
        patch.setattr(os, "kill", lambda pid, sig: signals.append((pid, sig)))
        code, err = reload(tmp_path / "g.pid", capsys, index_args)
    assert code == 1 and err.count("\n") == 1 and err.startswith("error: not reloading")
    assert reason in err and "python -m bot build" in err and "not signalled" in err
    assert signals == [] and fake_gunicorn.poll() is None


def test_gunicorn_writes_its_pid_where_reload_looks(monkeypatch, tmp_path):
    monkeypatch.delenv("BOT_PIDFILE", raising=False)
    conf = runpy.run_path(str(ROOT / "web" / "gunicorn.conf.py"))
    assert Path(conf["pidfile"]) == ROOT / ".cache" / "run" / "gunicorn.pid"
    assert conf["control_socket_disable"] is True
    monkeypatch.setenv("BOT_PIDFILE", str(tmp_path / "run" / "g.pid"))
    assert runpy.run_path(str(ROOT / "web" / "gunicorn.conf.py"))["pidfile"] == str(tmp_path / "run" / "g.pid")
    assert (tmp_path / "run").is_dir()  # made for gunicorn, which does not make it


@pytest.mark.parametrize("level", ["info", "warning"])
def test_gunicorn_logs_the_app_lines_at_the_chosen_level(monkeypatch, level):
    monkeypatch.setenv("BOT_LOG_LEVEL", level)
    conf = runpy.run_path(str(ROOT / "web" / "gunicorn.conf.py"))
    assert conf["logconfig_dict"]["loggers"]["web"]["level"] == level.upper()
