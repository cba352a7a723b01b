"""Rebuilds, rollback, re-ingesting a changed file and removing one, against the real node."""

import os
import signal
import subprocess
import sys

import pytest

from indexer import cli
from indexer.admin import current_index, drop_index, generations
from indexer.sources import source_key
from tests.conftest import ROOT, SAMPLES, quiet_ingest

pytestmark = pytest.mark.es
CITY, DONGHU = "示例市数据管理局", "示例市东湖区政务服务数据管理局"


def run_cli(monkeypatch, settings, argv: list[str]) -> int:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    return cli.main(argv)


def departments(es, settings) -> list[str]:
    es.indices.refresh(index=settings.alias)
    hits = es.search(index=settings.alias, query={"term": {"kind": "document"}}, size=100)
    return sorted(h["_source"]["department"] for h in hits["hits"]["hits"])


def records_of(es, settings, path) -> int:
    es.indices.refresh(index=settings.alias)
    query = {"term": {"source_key": source_key(path)}}
    return es.count(index=settings.alias, query=query)["count"]


def copy_samples(folder, names=("city-2025.txt", "donghu-2024.txt", "donghu-2025.txt")):
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    return folder


def test_rebuild_swaps_generations_keeps_one_for_rollback_and_cleans_up(
    es, fresh_settings, tmp_path, monkeypatch
):
    one = copy_samples(tmp_path / "one", ["city-2025.txt"])
    two = copy_samples(tmp_path / "two", ["donghu-2024.txt", "donghu-2025.txt"])
    assert run_cli(monkeypatch, fresh_settings, [str(one)]) == 0
    first = current_index(es, fresh_settings)

    assert run_cli(monkeypatch, fresh_settings, ["--rebuild", str(two)]) == 0
    second = current_index(es, fresh_settings)
    assert second != first
    assert departments(es, fresh_settings) == [DONGHU] * 2
    assert generations(es, fresh_settings) == [first, second]

    assert run_cli(monkeypatch, fresh_settings, ["--rollback"]) == 0
    assert current_index(es, fresh_settings) == first
    assert departments(es, fresh_settings) == [CITY]
    assert run_cli(monkeypatch, fresh_settings, ["--rollback"]) == 2  # only once

    assert run_cli(monkeypatch, fresh_settings, ["--rebuild", str(one), str(two)]) == 0
    third = current_index(es, fresh_settings)
    # kept: the new generation and the one it replaced; the abandoned second is gone
    assert generations(es, fresh_settings) == [first, third]
    assert len(departments(es, fresh_settings)) == 3


def test_a_rebuild_with_a_failed_file_is_abandoned(es, fresh_settings, tmp_path, monkeypatch):
    folder = copy_samples(tmp_path / "corpus")
    assert run_cli(monkeypatch, fresh_settings, [str(folder)]) == 0
    serving = current_index(es, fresh_settings)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    assert run_cli(monkeypatch, fresh_settings, ["--rebuild", str(folder)]) == 1
    assert generations(es, fresh_settings) == [serving]
    assert len(departments(es, fresh_settings)) == 3


def test_a_killed_rebuild_leaves_search_on_the_old_generation(
    es, fresh_settings, tmp_path, monkeypatch
):
    small = copy_samples(tmp_path / "small", ["city-2025.txt"])
    assert run_cli(monkeypatch, fresh_settings, [str(small)]) == 0
    serving = current_index(es, fresh_settings)
    many = tmp_path / "many"
    many.mkdir()
    text = (SAMPLES / "donghu-2025.txt").read_text(encoding="utf-8")
    for n in range(400):  # distinct content, so each file is a document of its own
        (many / f"copy-{n:03}.txt").write_text(f"{text}\n附注 {n}\n", encoding="utf-8")

    env = {**os.environ, "ES_INDEX_PREFIX": fresh_settings.es_index_prefix}
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--rebuild", "--workers", "1", str(many)],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in rebuild.stderr:
            if line.startswith("[20/"):
                break
        else:
            pytest.fail("the rebuild ended before it could be killed")
        building = [g for g in generations(es, fresh_settings) if g != serving]
        assert len(building) == 1
        rebuild.send_signal(signal.SIGKILL)
    finally:
        rebuild.kill()
        rebuild.wait()
        rebuild.stderr.close()
    assert current_index(es, fresh_settings) == serving
    assert departments(es, fresh_settings) == [CITY]

    # the next rebuild succeeds and removes the abandoned generation
    assert run_cli(monkeypatch, fresh_settings, ["--rebuild", str(small)]) == 0
    assert building[0] not in generations(es, fresh_settings)
    assert len(generations(es, fresh_settings)) == 2


def test_reingesting_a_changed_file_leaves_no_stale_records(
    es, fresh_settings, tmp_path, monkeypatch
):
    folder = copy_samples(tmp_path / "corpus")
    budget = folder / "donghu-2024.txt"
    assert run_cli(monkeypatch, fresh_settings, [str(folder)]) == 0
    before = records_of(es, fresh_settings, budget)

    # the same file, changed: its last project dropped (and with it some records)
    text = budget.read_text(encoding="utf-8")
    budget.write_text(text[: text.rindex("\n2.")] + "\n", encoding="utf-8")
    assert run_cli(monkeypatch, fresh_settings, [str(budget)]) == 0
    after = records_of(es, fresh_settings, budget)
    assert 0 < after < before

    # exactly what indexing the changed file alone makes, all of one document
    alone = fresh_settings.model_copy(update={"es_index_prefix": f"{fresh_settings.alias}-alone"})
    try:
        assert quiet_ingest([budget], alone, es).records == after
    finally:
        drop_index(es, alone)
    query = {"term": {"source_key": source_key(budget)}}
    hits = es.search(index=fresh_settings.alias, query=query, size=500)["hits"]["hits"]
    assert len({h["_source"]["document_id"] for h in hits}) == 1


def test_remove_deletes_every_record_of_a_file(es, fresh_settings, tmp_path, monkeypatch, capsys):
    folder = copy_samples(tmp_path / "corpus")
    assert run_cli(monkeypatch, fresh_settings, [str(folder)]) == 0
    gone = folder / "city-2025.txt"
    gone.unlink()  # it need not exist any more
    assert run_cli(monkeypatch, fresh_settings, ["--remove", str(gone)]) == 0
    assert "removed" in capsys.readouterr().err
    assert records_of(es, fresh_settings, gone) == 0
    assert records_of(es, fresh_settings, folder / "donghu-2025.txt") > 0
    assert departments(es, fresh_settings) == [DONGHU] * 2
    assert run_cli(monkeypatch, fresh_settings, ["--remove", str(gone)]) == 1
    assert "nothing indexed from" in capsys.readouterr().err
