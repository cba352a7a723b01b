"""Wall-clock limits inside a worker: a file's (workers.py) and, within it, a page's OCR
(extract/pdf.py). Limits nest: the timer is set for whichever runs out first, and an inner
limit never cancels or postpones an outer one."""

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class TimeLimit(Exception):
    """A limit ran out."""


class FileTimeout(TimeLimit):
    """One file's time limit ran out."""


class PageTimeout(TimeLimit):
    """One page's OCR time limit ran out."""


_active: list[tuple[float, type[TimeLimit]]] = []  # (deadline, error), outermost first


def _expire(*_) -> None:
    now = time.monotonic()
    for deadline, error in _active:
        if now >= deadline - 0.001:
            raise error
    _arm()  # early by a hair: wait on


def _arm() -> None:
    if _active:
        left = min(deadline for deadline, _ in _active) - time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextmanager
def time_limit(seconds: float, error: type[TimeLimit] = FileTimeout) -> Iterator[None]:
    """Raises ``error`` in this (main) thread after ``seconds``; a no-op elsewhere (SIGALRM
    reaches the main thread only) or for ``seconds <= 0``."""
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _expire) if not _active else None
    _active.append((time.monotonic() + seconds, error))
    _arm()
    try:
        yield
    finally:
        _active.pop()
        _arm()
        if not _active:
            signal.signal(signal.SIGALRM, previous)
