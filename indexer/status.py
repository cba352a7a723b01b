"""The indexing run's progress in a small JSON file, for the API's /api/status (the page shows
it while `make run` indexes behind the page it already serves).

Written whole each time (to a temporary file, then renamed), so a reader never sees half of it.
"""

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NotRequired, TypedDict


class _State(TypedDict):
    state: str
    pid: int
    total: int
    done: int
    failed: int
    unchanged: int
    records: int
    started: float
    updated: NotRequired[float]


class StatusFile:
    def __init__(self, path: Path, total: int):
        self.path = path
        self.state: _State = {
            "state": "indexing",
            "pid": os.getpid(),
            "total": total,
            "done": 0,
            "failed": 0,
            "unchanged": 0,
            "records": 0,
            "started": time.time(),
        }
        self._write()

    def skipped(self, files: int) -> None:
        """Files indexed already (unchanged): done without being read."""
        self.state["done"] += files
        self.state["unchanged"] += files
        self._write()

    def file(self, records: int, failed: bool) -> None:
        self.state["done"] += 1
        self.state["failed"] += failed
        self.state["records"] += records
        self._write()

    def finish(self, state: str = "done") -> None:
        self.state["state"] = state
        self._write()

    def _write(self) -> None:
        self.state["updated"] = time.time()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps(self.state), encoding="utf-8")
        part.replace(self.path)


@contextmanager
def run_status(path: Path, total: int) -> Iterator[StatusFile]:
    """A run's status file: "indexing" while the block runs, then "done", or "failed" when it
    raises (an interruption included)."""
    status = StatusFile(path, total)
    try:
        yield status
    except BaseException:
        status.finish("failed")
        raise
    status.finish()


def read_status(path: Path) -> dict | None:
    """The last run's status; a run whose process is gone without finishing is "interrupted".
    None when no run has written one (or it cannot be read)."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict):
        return None
    if state.get("state") == "indexing" and not _alive(state.get("pid")):
        state["state"] = "interrupted"
    state.pop("pid", None)
    return state


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: alive
    return True
