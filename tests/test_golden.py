"""The parser against golden files derived from the seeds and real PDFs and checked by hand
(scripts/golden.py writes them; tests/golden/ holds them).

Each seed's projects (unit, parent, name, 万元), indicators (project, 一级指标, 二级指标, name,
parsed target) and data-quality warnings must come out exactly as the golden file says; every
real PDF's metadata too, with its projects and its 项目支出 lists adding up.
"""

import json
from functools import cache
from pathlib import Path

import pytest

from indexer.extract import extractor_for
from indexer.records import build_records
from scripts.golden import CHECKED_PDFS, GOLDEN, METADATA, golden_of
from tests.conftest import extracted

SEEDS = sorted(p.stem for p in GOLDEN.glob("0*.json"))


@cache
def parsed(path: Path) -> dict:
    return golden_of(path, extracted(path))


def expected(path: Path) -> dict:
    return json.loads((GOLDEN / f"{path.stem}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", SEEDS)
def test_seed_projects_and_indicators(shared, stem):
    path = shared / "corpus" / f"{stem}.txt"
    got, want = parsed(path), expected(path)
    assert got["metadata"] == want["metadata"]
    assert got["projects"] == want["projects"]
    assert got["indicators"] == want["indicators"]
    assert got["warnings"] == want["warnings"]


@pytest.mark.parametrize("name", CHECKED_PDFS)
def test_real_pdf_projects_and_indicators(shared, name):
    path = shared / "realpdfs" / name
    got, want = parsed(path), expected(path)
    assert got["projects"] == want["projects"]
    assert got["indicators"] == want["indicators"]


def test_every_real_pdf_has_its_metadata_and_projects(shared):
    want = json.loads(METADATA.read_text(encoding="utf-8"))
    pdfs = sorted((shared / "realpdfs").rglob("*.pdf"))
    assert sorted(p.name for p in pdfs) == sorted(want)
    for path in pdfs:
        got = parsed(path)
        assert got["metadata"] == want[path.name], path.name
        assert got["projects"], f"{path.name}: no projects found"
        # every 项目支出 list read whole: its items add up to the total it states
        assert not [w for w in got["warnings"] if w.startswith("项目支出")], path.name


def test_pdf_records_carry_pages(shared):
    path = shared / "realpdfs" / CHECKED_PDFS[0]
    records = build_records(path, "x", extractor_for(path).extract(path))
    projects = [r for r in records if r.kind == "project"]
    assert projects and all(r.page and r.page > 1 for r in projects)
    assert all(s.page for r in projects for s in r.sources)
