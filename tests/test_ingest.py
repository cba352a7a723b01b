"""Ingesting against the real node: metadata on the records, idempotence, exit codes."""

import io
import json
import shutil

import pytest

from indexer import cli
from indexer.ocr import OcrOptions
from indexer.settings import Settings, get_settings
from indexer.sources import find_sources, shard
from indexer.status import read_status
from indexer.workers import Limits
from tests.conftest import SAMPLES, client_for, quiet_ingest
from tests.pdfs import text_pdf

pytestmark = pytest.mark.es


def count(es, settings, **term):
    query = {"term": term} if term else {"match_all": {}}
    return es.count(index=settings.alias, query=query)["count"]


def documents(es, settings):
    hits = es.search(index=settings.alias, query={"term": {"kind": "document"}}, size=100)
    return {h["_source"]["department"]: h["_source"] for h in hits["hits"]["hits"]}


def test_the_five_seeds_ingest_with_their_metadata(es, seed_index):
    settings, report = seed_index
    assert len(report.files) == 5 and not report.failed
    docs = documents(es, settings)
    expected = {
        "深圳市福田区民意速办和智慧城市建设中心": ("福田区", 2024),
        "深圳市政务服务和数据管理局(本级)": ("市本级", 2024),
        "深圳市福田区政务服务数据管理局": ("福田区", 2020),
        "深圳市罗湖区智慧城市建设中心": ("罗湖区", 2024),
        "深圳市罗湖区政务服务数据管理局(本级)": ("罗湖区", 2024),
    }
    assert {d: (s["district"], s["year"]) for d, s in docs.items()} == expected
    assert all(s["city"] == "深圳市" for s in docs.values())
    # every section record carries its document's metadata
    assert count(es, settings, kind="section") > 50
    sections = es.search(index=settings.alias, query={"term": {"kind": "section"}}, size=500)
    for hit in sections["hits"]["hits"]:
        src = hit["_source"]
        assert (src["district"], src["year"]) == expected[src["department"]]


def test_ingesting_twice_leaves_the_counts_unchanged(es, fresh_settings):
    first = quiet_ingest([SAMPLES], fresh_settings, es)
    before = count(es, fresh_settings)
    forced = ingest_quietly([SAMPLES], fresh_settings, es, force=True)
    assert before == first.records == forced.records > 0
    assert count(es, fresh_settings) == before
    assert count(es, fresh_settings, kind="document") == 3


def ingest_quietly(paths, settings, es, **options):
    return cli.ingest(find_sources(map(str, paths)), settings, es, out=io.StringIO(), **options)


def test_a_rerun_skips_the_files_indexed_already_as_they_are(es, fresh_settings, tmp_path):
    folder = tmp_path / "budgets"
    shutil.copytree(SAMPLES, folder)
    quiet_ingest([folder], fresh_settings, es)
    before = count(es, fresh_settings)
    again = quiet_ingest([folder], fresh_settings, es)
    assert again.unchanged == 3 and again.records == 0 and not again.failed
    assert "indexed 0 of 3 files (3 unchanged, skipped)" in again.summary()
    assert count(es, fresh_settings) == before
    # a changed file is read again; the others are not
    changed = folder / "donghu-2025.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    third = quiet_ingest([folder], fresh_settings, es)
    assert third.unchanged == 2
    assert [f.source.name for f in third.files if not f.unchanged] == ["donghu-2025.txt"]
    # another way of reading (OCR off instead of auto) is another version: all read again
    off = ingest_quietly([folder], fresh_settings, es, limits=Limits(ocr=OcrOptions(mode="off")))
    assert off.unchanged == 0 and len(off.files) == 3 and not off.failed
    assert count(es, fresh_settings, kind="document") == 3  # replaced, not added


def run_cli(monkeypatch, settings: Settings, argv: list[str]) -> int:
    monkeypatch.setattr(cli, "get_settings", lambda: settings)
    return cli.main(argv)


def test_cli_reports_a_bad_file_and_indexes_the_rest(
    es, fresh_settings, tmp_path, monkeypatch, capsys
):
    good = tmp_path / "good.txt"
    good.write_text((SAMPLES / "city-2025.txt").read_text(encoding="utf-8"), encoding="gb18030")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.md").write_bytes(bytes(range(256)) * 8)
    code = run_cli(monkeypatch, fresh_settings, [str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1
    assert "FAILED" in err and "empty.txt: the file is empty" in err
    assert "junk.md" in err and "binary data" in err
    assert "indexed 1 of 3 files" in err
    docs = documents(es, fresh_settings)
    assert list(docs) == ["示例市数据管理局"]  # the GB18030 file was decoded and indexed


def test_cli_exit_codes_for_usage_and_an_unreachable_node(monkeypatch, tmp_path, capsys):
    assert run_cli(monkeypatch, get_settings(), [str(tmp_path / "missing")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    down = Settings(es_url="http://127.0.0.1:9", es_timeout=2)
    assert run_cli(monkeypatch, down, [str(SAMPLES)]) == 2
    assert "not reachable at http://127.0.0.1:9" in capsys.readouterr().err


def test_cli_success_exit_code_and_summary(es, fresh_settings, monkeypatch, capsys, tmp_path):
    status = tmp_path / "indexing.json"
    settings = fresh_settings.model_copy(update={"index_status_file": str(status)})
    assert run_cli(monkeypatch, settings, [str(SAMPLES)]) == 0
    err = capsys.readouterr().err
    assert "[3/3]" in err and "indexed 3 of 3 files" in err
    # the run's progress, as /api/status reports it
    body = client_for(settings).get("/api/status").json()
    assert (body["state"], body["done"], body["total"], body["failed"]) == ("done", 3, 3, 0)
    assert body["records"] > 0 and "pid" not in body
    # a run whose process is gone without finishing was interrupted
    status.write_text(json.dumps({**body, "state": "indexing", "pid": 2**22 + 1}), "utf-8")
    assert read_status(status)["state"] == "interrupted"
    status.unlink()
    assert client_for(settings).get("/api/status").json() == {"state": None, "synthetic": False}


def test_pdfs_index_with_page_numbers_beside_bad_files(
    es, fresh_settings, shared, tmp_path, monkeypatch, capsys
):
    source = shared / "realpdfs" / "shenzhen-2026" / "2026年深圳市统计局部门预算.pdf"
    (tmp_path / "budget.pdf").write_bytes(source.read_bytes())
    (tmp_path / "page.pdf").write_text("<html><body>not found</body></html>")
    (tmp_path / "scan.pdf").write_bytes(text_pdf(["", "", ""]))
    (tmp_path / "cut.pdf").write_bytes(text_pdf(["some text on a page"] * 3)[:300])
    assert run_cli(monkeypatch, fresh_settings, [str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "indexed 1 of 4 files" in err
    assert "page.pdf: not a PDF" in err
    assert "scan.pdf: no text layer" in err
    assert "cut.pdf: broken PDF" in err

    body = (
        client_for(fresh_settings)
        .get("/api/search", params={"q": "统计", "kind": "section"})
        .json()
    )
    assert body["total"] > 0
    assert all(h["page"] and h["page"] >= 1 for h in body["hits"])
    assert {h["department"] for h in body["hits"]} == {"深圳市统计局(本级)"}


def test_shards_split_the_files_once_and_the_same_way_on_every_machine(shared, monkeypatch):
    files = find_sources([str(shared / "national")])
    shards = [shard(files, number, 4) for number in range(1, 5)]
    names = [source.name for part in shards for source in part]
    assert sorted(names) == sorted(f.name for f in files)  # every file, once
    assert all(len(part) > len(files) / 8 for part in shards)  # spread, not all in one
    # another machine lists the folder in another order: the same shards
    assert shard(list(reversed(files)), 2, 4) == list(reversed(shards[1]))
    monkeypatch.setattr(cli, "get_settings", lambda: Settings(es_url="http://127.0.0.1:9"))
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(SystemExit) as exit_:
            cli.main(["--shard", bad, str(SAMPLES)])
        assert exit_.value.code == 2, bad
