"""`make serve`: nginx in front of gunicorn on this machine, for a kiosk or clinic network.

    python -m deploy.serve [--instances N]
    python -m deploy.serve --print-config [--state-dir DIR] [--upstream HOST:PORT ...]

Renders deploy/nginx.conf (listening on BOT_PROXY_HOST:BOT_PROXY_PORT, default 127.0.0.1:8080; set
BOT_PROXY_HOST=0.0.0.0 to serve the network), starts gunicorn with web/gunicorn.conf.py on loopback
(BOT_HOST:BOT_PORT, default 127.0.0.1:8000; with --instances 2 a second one on BOT_PORT+1 behind the
same upstream), waits until each answers, then starts nginx in the foreground. Ctrl+C (or SIGTERM)
stops nginx, then gunicorn; if any of them dies, the others are stopped too and the exit code is 1.
The state (rendered config, logs, nginx's pid) is in .cache/serve/. `python -m bot reload` and
`python -m bot build` work as with `make run`. docs/deploy.md has the whole recipe.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).with_name("nginx.conf")
STATE = ROOT / ".cache" / "serve"
NGINX_TMP = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


def render(listen: str, upstreams: Sequence[str], state_dir: Path, max_body: int, template: Path = TEMPLATE) -> str:
    """deploy/nginx.conf with every @NAME@ filled in; an unknown or missing name is an error."""
    user = ""
    if os.geteuid() == 0:  # nginx's workers drop root; they never need our files (see the temp paths)
        user = "user www-data;" if _user_exists("www-data") else "user nobody;"
    values = {
        "USER_LINE": user,
        "STATE_DIR": str(state_dir),
        "LISTEN": listen,
        "MAX_BODY": str(max_body),
        "MAX_BODY_WORDS": f"{max_body:,}",
        "UPSTREAM_SERVERS": "\n".join(f"        server {address} max_fails=1 fail_timeout=5s;" for address in upstreams),
    }
    text = template.read_text()
    missing = set(re.findall(r"@([A-Z_]+)@", text)) - set(values)
    if missing:
        raise ValueError(f"{template}: no value for {', '.join(sorted(missing))}")
    return re.sub(r"@([A-Z_]+)@", lambda m: values[m.group(1)], text)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass
class Nginx:
    process: subprocess.Popen
    state_dir: Path
    port: int

    def stop(self, timeout: float = 15) -> None:
        stop(self.process, signal.SIGQUIT, timeout)  # SIGQUIT: finish the requests in flight


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        raise SystemExit("error: nginx is not installed: apt-get install -y nginx (Debian's package)")
    return found


def start_nginx(state_dir: Path, listen_host: str, listen_port: int, upstreams: Sequence[str], max_body: int,
                log=None, timeout: float = 20) -> Nginx:
    """Render the config into state_dir, check it (nginx -t), start nginx in the foreground, wait until
    it accepts connections (bounded)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    for name in NGINX_TMP:
        (state_dir / "tmp" / name).mkdir(parents=True, exist_ok=True)
    conf = state_dir / "nginx.conf"
    conf.write_text(render(address(listen_host, listen_port), upstreams, state_dir, max_body))
    command = [nginx_binary(), "-e", str(state_dir / "error.log"), "-p", str(state_dir), "-c", str(conf)]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=30)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t refused {conf}: {checked.stderr.strip()}")
    process = subprocess.Popen([*command, "-g", "daemon off;"], stdout=log or subprocess.DEVNULL,
                               stderr=log or subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = (state_dir / "error.log").read_text(errors="replace")[-2000:] if (state_dir / "error.log").exists() else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {errors}")
        try:
            with socket.create_connection((listen_host if listen_host not in ("0.0.0.0", "::") else "127.0.0.1",
                                           listen_port), timeout=1):
                return Nginx(process, state_dir, listen_port)
        except OSError:
            time.sleep(0.05)
    stop(process, signal.SIGQUIT, 5)
    raise TimeoutError(f"nginx did not accept connections on port {listen_port} within {timeout} s")


def start_gunicorn(env: dict, log=None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "web/gunicorn.conf.py"], cwd=ROOT,
                            env=env, stdout=log, stderr=log, start_new_session=True)


def wait_healthy(host: str, port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://{address(host, port)}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"gunicorn on port {port} did not answer /healthz within {timeout} s")


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 25) -> None:
    """Ask politely, then SIGKILL the process group if it has not stopped in time."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from bot.errors import SettingsError
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m deploy.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1, help="gunicorn instances behind nginx (default 1)")
    parser.add_argument("--print-config", action="store_true", help="print the rendered nginx.conf and stop")
    parser.add_argument("--state-dir", type=Path, default=STATE / "nginx",
                        help="with --print-config: nginx's folder for its pid, logs and temporary files")
    parser.add_argument("--upstream", action="append", metavar="HOST:PORT",
                        help="with --print-config: the servers behind nginx (repeatable; default: the local gunicorn)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    ports = [settings.port + i for i in range(max(1, args.instances))]
    upstreams = [address(settings.host, port) for port in ports]
    listen = address(settings.proxy_host, settings.proxy_port)
    if args.print_config:
        print(render(listen, args.upstream or upstreams, args.state_dir.resolve(), settings.max_body_bytes))
        return 0
    check = subprocess.run([sys.executable, "web/gunicorn.conf.py"], cwd=ROOT)  # one line on a bad setting
    if check.returncode != 0:
        return 2
    nginx_binary()
    STATE.mkdir(parents=True, exist_ok=True)
    servers: list[subprocess.Popen] = []
    proxy = None
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    try:
        for i, port in enumerate(ports):
            env = {**os.environ, "BOT_PORT": str(port), "BOT_TRUSTED_PROXIES": os.environ.get("BOT_TRUSTED_PROXIES", "1")}
            if i:
                env["BOT_PIDFILE"] = str(settings.pidfile.with_name(f"{settings.pidfile.stem}-{i}{settings.pidfile.suffix}"))
            servers.append(start_gunicorn(env))
        for port, server in zip(ports, servers, strict=True):
            wait_healthy(settings.host, port, server)
        proxy = start_nginx(STATE / "nginx", settings.proxy_host, settings.proxy_port, upstreams, settings.max_body_bytes)
        print(f"Serving on http://{listen} (nginx, logs in {STATE / 'nginx'}) -> gunicorn on "
              f"{', '.join(upstreams)}. Ctrl+C stops both.", flush=True)
        while not stopping:
            if proxy.process.poll() is not None or any(s.poll() is not None for s in servers):
                print("error: nginx or gunicorn stopped; stopping the rest", file=sys.stderr)
                return 1
            time.sleep(0.5)
        return 0
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            stop(server)


if __name__ == "__main__":
    sys.exit(main())
