"""The API run as a process of its own, as users run it, for the tests that need a real server
(the cluster, the installed wheel, the offline bundle, the browser)."""

import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def api_server(command: list, env: dict, log: Path, cwd: Path | None = None) -> Iterator[str]:
    """Starts ``command`` (the API on 127.0.0.1 at ``env["API_PORT"]``), its output to ``log``,
    and yields its URL once /readyz answers 200; stops it when the block ends. Fails, with the
    log, if the server exits or is not ready within minutes."""
    url = f"http://127.0.0.1:{env['API_PORT']}"
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=out)
        try:
            for _ in range(1200):  # two minutes at least: a busy machine starts slowly
                assert server.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                threading.Event().wait(0.1)
            else:
                raise AssertionError(f"the API never became ready:\n{log.read_text()}")
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)
