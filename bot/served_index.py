"""The index generation a server serves, checked as a worker would load it: installing an index
artifact (`python -m bot build --from FILE`) and verifying before a reload (`python -m bot reload`).
Refusals are BotError in one line saying why and how to fix it."""

from __future__ import annotations

from pathlib import Path

from bot.errors import BotError
from bot.settings import Settings


def install_artifact(archive: Path, settings: Settings) -> str:
    """Unpack an artifact, check it as a worker would load it on this machine, then make it current."""
    from bot.index import artifact, generations

    if not archive.is_file():
        raise BotError(f"{archive} does not exist")
    with generations.build_lock(settings.index_dir):
        try:
            folder = artifact.unpack(archive, settings.index_dir)
        except generations.Damaged as exc:
            raise BotError(f"not installed: {exc}") from None
        try:
            problem = load_problem(folder, settings)
            if problem:
                raise BotError(f"not installed: {archive} fails verification on this machine: {problem}")
            generation, _ = generations.publish(folder, settings.index_dir)
        finally:
            generations.remove(folder.parent)
    return generation


def server_pid(path: Path) -> int:
    """The gunicorn master's pid from its pid file, refusing a stale file or another program's pid."""
    try:
        pid = int(path.read_text().strip())
    except FileNotFoundError:
        raise BotError(f"no running server: {path} does not exist (start one with: make run)") from None
    except ValueError:
        raise BotError(f"{path} does not hold a process id") from None
    cmdline = Path(f"/proc/{pid}/cmdline")
    if Path("/proc/self").exists():  # Linux: the pid may be stale and reused by another program
        if not cmdline.exists():
            raise BotError(f"no running server: process {pid} from {path} has ended")
        if b"gunicorn" not in cmdline.read_bytes():
            raise BotError(f"process {pid} from {path} is not gunicorn; remove the stale pid file")
    return pid


def verify_served_index(settings: Settings) -> str:
    """Load the generation index/current names exactly as a new worker would (checksums, its knowledge,
    this code's format and model); its id, or BotError in one line saying why not and how to fix it."""
    from bot.engine import rebuild_command
    from bot.index import generations

    fix = rebuild_command(settings)
    folder = generations.resolve(settings.index_dir)
    if folder is None:
        raise BotError(f"not reloading: no index at {settings.index_dir}. The server was not signalled. "
                       f"Build one first: {fix}")
    problem = load_problem(folder, settings)
    if problem is not None:
        raise BotError(f"not reloading: the index the new workers would load ({folder}) fails verification: "
                       f"{problem}. The server was not signalled. Fix it with: {fix}")
    return folder.name


def load_problem(folder: Path, settings: Settings) -> str | None:
    """Why a worker could not serve this index folder (in one line), or None: its files against their
    checksums, then a full load with its own knowledge, this code and this machine's model."""
    from bot.engine import Engine
    from bot.errors import IndexStaleError
    from bot.index import generations

    snapshot = folder / generations.KNOWLEDGE
    serving = settings.replace(index_dir=folder, knowledge_dir=snapshot if snapshot.is_dir() else settings.knowledge_dir)
    problem = generations.damage(folder) if generations.is_generation(folder) or snapshot.is_dir() else None
    if problem is None:
        try:
            with generations.pinned(folder):
                Engine(serving)
        except IndexStaleError as exc:
            problem = exc.reason
        except BotError as exc:
            problem = str(exc)
        except Exception as exc:  # noqa: BLE001 - whatever a worker would trip over, refuse
            problem = f"it cannot be loaded ({type(exc).__name__})"
    return " ".join(problem.split()) if problem is not None else None
