"""The synthetic demo that `make run` indexes when there is no ../shared beside the checkout
(bench/synth.py --demo): facets over several cities, districts and years, projects that recur
across years, indicator targets, and the API saying that the data is made up."""

from pathlib import Path

import pytest

from bench import synth
from tests.conftest import client_for, quiet_ingest


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    synth.main([str(folder), "--demo"])
    return folder


def test_the_demo_is_a_few_hundred_budgets_marked_as_synthetic(demo):
    files = sorted(demo.glob("*.txt"))
    assert 200 <= len(files) <= 400
    assert all(synth.DEMO_NOTE in f.read_text(encoding="utf-8") for f in files)
    synth.main([str(demo.parent / "again"), "--demo"])  # the same budgets each time
    assert [f.read_bytes() for f in files] == [
        (demo.parent / "again" / f.name).read_bytes() for f in files
    ]


@pytest.fixture(scope="module")
def demo_api(demo, es):
    from indexer.admin import drop_index
    from indexer.settings import Settings

    settings = Settings(
        es_index_prefix=f"test-demo-{demo.name[-6:]}", synthetic_demo=True, rate_limit=0
    )
    report = quiet_ingest([demo], settings, es)
    assert not report.failed, report.summary()
    yield client_for(settings)
    drop_index(es, settings)


def test_the_demo_has_facets_timelines_and_targets_that_mean_something(demo_api):
    body = demo_api.get("/api/search", params={"q": "民意速办", "size": 5}).json()
    cities = {f["value"] for f in body["facets"]["city"]}
    districts = {(f["city"], f["district"]) for f in body["facets"]["district"]}
    years = {f["value"] for f in body["facets"]["year"]}
    assert cities == set(synth.DEMO_CITIES)
    assert len(districts) >= 6 and ("深圳市", "福田区") in districts
    assert years == set(synth.DEMO_YEARS)

    series = demo_api.get("/api/projects/timeline", params={"q": "民意速办平台运营"}).json()
    years_by_body = {}
    for s in series["series"]:
        for point in s["points"]:
            years_by_body.setdefault(point["department"], set()).add(point["year"])
    assert years_by_body and all(len(y) >= 3 for y in years_by_body.values()), years_by_body

    search = {"q": "群众满意度", "op": "≥", "value_min": 90, "target_unit": "%"}
    targets = demo_api.get("/api/indicators", params=search).json()
    assert targets["total"] > 0
    assert all(h["target"]["value"] >= 90 for h in targets["hits"])


def test_the_api_says_the_demo_is_synthetic(demo_api):
    assert demo_api.get("/api/status").json()["synthetic"] is True
