"""One file never ends a run: a table drawn off the page, a file that takes forever, one that
needs unbounded memory and a worker that dies each cost only their own file, with the reason,
and every file after them is indexed."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import workers
from indexer.workers import Limits, prepared_files
from tests.conftest import ROOT, SAMPLES
from tests.pdfs import inflating_pdf, slow_pdf, table_off_the_page_pdf, text_pdf


def make_folder(folder: Path) -> None:
    folder.mkdir()
    (folder / "1-table-off-the-page.pdf").write_bytes(table_off_the_page_pdf())
    (folder / "2-never-ends.pdf").write_bytes(slow_pdf())
    (folder / "3-inflates.pdf").write_bytes(inflating_pdf(1024))
    (folder / "4-after.txt").write_bytes((SAMPLES / "city-2025.txt").read_bytes())
    (folder / "5-after.pdf").write_bytes(text_pdf(["Project expenditure page two"] * 2))


@pytest.mark.es
def test_files_that_blow_up_or_hang_fail_alone(es, fresh_settings, tmp_path):
    folder = tmp_path / "corpus"
    make_folder(folder)
    env = {**os.environ, "ES_INDEX_PREFIX": fresh_settings.es_index_prefix}
    run = subprocess.run(
        [sys.executable, "-m", "indexer", str(folder), "--workers", "2"]
        + ["--file-timeout", "5", "--file-memory", "512"]
        # pdfminer's layout analysis takes minutes over the never-ending page; PDFium reads it
        # in seconds, and then needs more than 512 MB for its 333,000 characters
        + ["--pdf-reader", "pdfplumber"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = run.stderr
    assert run.returncode == 1, report
    assert "indexed 3 of 5 files" in report, report
    failed = {line.split(":")[0]: line for line in report.splitlines() if "FAILED " in line}
    assert set(failed) == {"  FAILED 2-never-ends.pdf", "  FAILED 3-inflates.pdf"}, report
    assert "per-file limit of 5 s" in failed["  FAILED 2-never-ends.pdf"]
    assert "memory limit of 512 MB" in failed["  FAILED 3-inflates.pdf"]
    assert str(tmp_path) not in report.split("indexed 3 of 5")[1]  # names, not server paths

    es.indices.refresh(index=fresh_settings.alias)
    documents = es.search(
        index=fresh_settings.alias, query={"term": {"kind": "document"}}, size=10
    )["hits"]["hits"]
    assert sorted(h["_source"]["source_file"] for h in documents) == [
        "1-table-off-the-page.pdf",
        "4-after.txt",
        "5-after.pdf",
    ]
    off_page = next(h["_source"] for h in documents if h["_source"]["source_file"][0] == "1")
    assert "Budget table below the page" in off_page["text"]


def _dies_on_crash_files(source, limits):
    if source.name.startswith("crash"):
        os._exit(1)  # as a segfault in a C library or the OOM killer would end the worker
    return real_prepare(source, limits)


real_prepare = workers.prepare


def test_a_worker_that_dies_fails_its_file_only(tmp_path, monkeypatch):
    # The worker processes are forked from this one, so they run the patched prepare.
    monkeypatch.setattr(workers, "prepare", _dies_on_crash_files)
    names = ["a.txt", "b.txt", "crash.txt", "c.txt", "d.txt", "e.txt"]
    for name in names:
        (tmp_path / name).write_bytes((SAMPLES / "city-2025.txt").read_bytes())
    results = {p.source.name: p for p in prepared_files([tmp_path / n for n in names], 2, Limits())}
    assert sorted(results) == sorted(names)
    assert "worker process died" in results["crash.txt"].error
    assert all(results[n].error is None and results[n].sources for n in names if n != "crash.txt")


def _reports_frozen_objects(source, limits):
    return workers.Prepared(source=source, error=str(gc.get_freeze_count()))


def test_workers_keep_what_they_loaded_out_of_the_collector(tmp_path, monkeypatch):
    """Frozen at a worker's start (workers._init_worker): a full collection no longer walks the
    libraries it imported. Each worker reports its count of frozen objects."""
    monkeypatch.setattr(workers, "prepare", _reports_frozen_objects)
    gc.unfreeze()  # the workers are forked from this process: none frozen before they start
    names = ["a.txt", "b.txt", "c.txt"]
    for name in names:
        (tmp_path / name).write_text("x", encoding="utf-8")
    frozen = [int(p.error) for p in prepared_files([tmp_path / n for n in names], 2, Limits())]
    assert len(frozen) == 3 and min(frozen) > 10_000
