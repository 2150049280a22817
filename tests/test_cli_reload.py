"""`python -m bot reload`: SIGHUP to the gunicorn master named in the pid file, or a clear one-line error.

The real reload under load is in tests/test_web_live.py; these are the ways it must refuse.
"""

import runpy
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import ROOT


def reload(pidfile, capsys) -> tuple[int, str]:
    code = main(["reload", "--pidfile", str(pidfile)])
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


def test_the_signal_goes_to_the_pid_in_the_file(tmp_path, capsys, monkeypatch):
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)", "gunicorn"])
    try:
        monkeypatch.setenv("BOT_PIDFILE", str(tmp_path / "g.pid"))
        (tmp_path / "g.pid").write_text(f"{fake.pid}\n")
        assert main(["reload"]) == 0
        assert fake.wait(timeout=10) == -signal.SIGHUP
        assert f"pid {fake.pid}" in capsys.readouterr().out
    finally:
        fake.kill()


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
