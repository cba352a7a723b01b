"""The project as a package: a wheel built from the checkout, installed into a new virtualenv,
indexes and serves from another folder with nothing of the checkout on its path."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import uuid
from pathlib import Path

import httpx
import pytest

from bench.run import free_port
from indexer.admin import drop_index
from indexer.settings import Settings
from tests.conftest import ROOT, SAMPLES
from tests.servers import api_server


def run(command: list, cwd: Path, env: dict, timeout: float = 300) -> str:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """A virtualenv holding the project's wheel, and an empty folder to run it from. Its
    dependencies come from the test's own environment (a .pth file naming its site-packages),
    so that nothing is downloaded but the build's setuptools; the project itself only from the
    wheel."""
    tmp = tmp_path_factory.mktemp("wheel")
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp, ROOT], tmp, env)
    wheel = next(tmp.glob("budget_search-*.whl"))
    venv = tmp / "venv"
    run([sys.executable, "-m", "venv", venv], tmp, env)
    python = venv / "bin" / "python"
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp, env)
    (Path(site.strip()) / "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel], tmp, env)
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return venv, elsewhere


def clean_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_the_commands_answer_help_and_version_without_starting(installed):
    venv, elsewhere = installed
    for command in ("budget-index", "budget-search"):
        out = run([venv / "bin" / command, "--version"], elsewhere, clean_env(), timeout=60)
        assert out.strip() == f"{command} 0.1.0"
        usage = run([venv / "bin" / command, "--help"], elsewhere, clean_env(), timeout=60)
        assert usage.startswith(f"usage: {command}")


@pytest.mark.es
def test_the_installed_wheel_indexes_and_serves_from_another_folder(installed, es):
    venv, elsewhere = installed
    budgets = elsewhere / "budgets"
    shutil.copytree(SAMPLES, budgets)
    settings = Settings(es_index_prefix=f"test-wheel-{uuid.uuid4().hex[:8]}")
    port = free_port()
    env = clean_env(ES_INDEX_PREFIX=settings.es_index_prefix, API_PORT=str(port))
    where = run(
        [venv / "bin" / "python", "-c", "import indexer, mappings; print(indexer.__file__)"],
        elsewhere,
        env,
    )
    assert Path(where.strip()).is_relative_to(venv), where  # not the checkout's code
    try:
        run([venv / "bin" / "budget-index", "budgets"], elsewhere, env)  # exit 0: all indexed
        command = [venv / "bin" / "budget-search"]
        with api_server(command, env, elsewhere / "api.log", cwd=elsewhere) as url:
            body = httpx.get(f"{url}/api/search", params={"q": "民意速办"}, timeout=30).json()
            assert any("<mark>民意速办</mark>" in hit["snippet"] for hit in body["hits"]), body
            assert httpx.get(url, timeout=10).status_code == 200  # the page, from the wheel
    finally:
        drop_index(es, settings)


def locked(path: Path) -> dict[str, set[str]]:
    """A lockfile's packages and their pinned versions (two where markers split by Python),
    checking that each pin is followed by its hashes."""
    pins: dict[str, set[str]] = {}
    lines = path.read_text().splitlines()
    for line, following in zip(lines, lines[1:] + [""], strict=True):
        if line and not line[0].isspace() and not line.startswith("#"):
            assert following.strip().startswith("--hash=sha256:"), f"{path.name}: {line} unhashed"
            name, version = line.split(";")[0].split(" ")[0].split("==")
            pins.setdefault(canonical(name), set()).add(version)
    return pins


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lockfiles_agree_with_the_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    service, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    assert {name: dev[name] for name in service} == service  # the same versions in both
    pinned = [(project["dependencies"], service), (project["optional-dependencies"]["dev"], dev)]
    for requirements, lock in pinned:
        for requirement in requirements:
            name, version = re.match(r"([\w.-]+)(?:\[[\w,]+\])?==([\w.]+)", requirement).groups()
            assert lock.get(canonical(name)) == {version}, f"{requirement}: run make lock"


def test_the_indexer_starts_without_what_only_other_programs_or_new_work_need():
    """An unchanged re-run is mostly the indexer's start: the transports the sync client does
    not use, and the worker pool's multiprocessing (loaded when a file needs reading), stay
    out of it. --version imports everything the command imports at start."""
    unused = {"aiohttp", "httpx", "requests", "multiprocessing"}
    installed = {name for name in unused if importlib.util.find_spec(name)}
    assert installed == unused, "the check needs them installed (the dev environment has)"
    command = """
import runpy, sys
sys.argv = ["indexer", "--version"]
try:
    runpy.run_module("indexer", run_name="__main__")
except SystemExit:
    pass
print(" ".join(name for name, module in sys.modules.items() if module is not None))
"""
    done = subprocess.run(
        [sys.executable, "-c", command], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split())
    assert "indexer.cli" in loaded
    assert sorted(loaded & unused) == []
