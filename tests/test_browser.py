"""The web page in a real browser: Playwright driving Debian's Chromium (make test installs it,
scripts/browser-deps.sh) against the API served on loopback over the seed index.

Screenshots of each step are kept in test-artifacts/browser/.
"""

import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import httpx
import pytest

from tests.servers import api_server

CHROMIUM = "/usr/bin/chromium"
# Headless on a closed network (the machine's notes): no background connections, no sandbox as root
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(settings, log_name: str) -> Iterator[str]:
    """The API on a free loopback port over ``settings``' index, until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "ES_INDEX_PREFIX": settings.es_index_prefix,
        "API_PORT": str(port),
        "INDEX_STATUS_FILE": str(ARTIFACTS / f"{log_name}.status.json"),
    }
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with api_server([sys.executable, "-m", "search_api"], env, ARTIFACTS / log_name) as url:
        yield url


@pytest.fixture(scope="module")
def server(seed_index):
    settings, _ = seed_index
    with serving(settings, "api.log") as url:
        yield url


@pytest.fixture(scope="module")
def pdf_server(cited_index):
    """The API over a real budget PDF and a text budget (conftest.cited_index)."""
    _, settings = cited_index
    with serving(settings, "api-cited.log") as url:
        yield url


@pytest.fixture(scope="module")
def page(server):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run 'make test' (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page.set_default_timeout(15_000)
        yield page
        browser.close()


README_SHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"


def readme_screenshot(page, name: str) -> None:
    """A screenshot of what the window shows, kept with the test's artifacts, and (with
    README_SCREENSHOTS=1, as `make screenshots` runs) as the README's picture of it."""
    page.screenshot(path=ARTIFACTS / name)
    if os.environ.get("README_SCREENSHOTS") == "1":
        README_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=README_SHOTS / name)


def rendered(page) -> None:
    """Waits until the page has rendered the state in its URL (app.js marks the body)."""
    # a function, not an expression: Playwright evaluates expressions with eval, which the
    # page's Content-Security-Policy forbids
    page.wait_for_function(
        "() => document.body.dataset.state === 'ready'"
        " && document.body.dataset.loaded === location.search"
    )


def counts(page, facet: str) -> dict[str, str]:
    rendered(page)
    labels = page.locator(f'.facet[data-facet="{facet}"] label')
    return {
        labels.nth(i).locator(".value").inner_text(): labels.nth(i).locator(".count").inner_text()
        for i in range(labels.count())
    }


def test_search_facet_and_timeline_in_the_page(page, server):
    page.goto(server)
    page.fill("#q", "民意速办")
    page.locator("#suggestions li", has_text="民意速办").first.wait_for()
    page.screenshot(path=ARTIFACTS / "1-suggestions.png")
    page.press("#q", "Enter")
    page.wait_for_url("**q=*")
    rendered(page)
    assert "“民意速办” 共" in page.locator("#status").inner_text()
    first = page.locator("#hits li").first
    assert "民意速办" in first.locator(".title").inner_text()
    assert "项目" in first.locator(".kind").inner_text()
    status_before = page.locator("#status").inner_text()
    kinds_before = counts(page, "kind")
    page.screenshot(path=ARTIFACTS / "2-results.png", full_page=True)
    readme_screenshot(page, "search.png")

    # narrowing to one district changes the other facets' counts and the total
    page.locator('.facet[data-facet="district"] label', has_text="福田区").locator("input").check()
    page.wait_for_url("**district=*")
    rendered(page)
    assert page.locator("#status").inner_text() != status_before
    assert counts(page, "kind") != kinds_before
    metas = page.locator("#hits li .meta").all_inner_texts()
    assert metas and all("福田区" in meta for meta in metas)
    page.screenshot(path=ARTIFACTS / "3-district.png", full_page=True)

    # the project's timeline: a series with a chart
    page.locator("#hits li.project a.timeline-link").first.click()
    page.wait_for_url("**view=timeline*")
    series = page.locator(".series").first
    series.wait_for()
    assert series.locator("svg.chart rect").count() >= 1
    assert "万元" in series.locator("table").inner_text()
    page.screenshot(path=ARTIFACTS / "4-timeline.png", full_page=True)

    # back: the search (state in the URL) comes back as it was
    page.go_back()
    page.wait_for_url("**district=*")
    rendered(page)
    page.locator('.facet[data-facet="district"] input:checked').wait_for()
    assert "district=" in page.url and page.locator("#q").input_value() == "民意速办"


def test_document_view_opens_at_the_hit(page, server):
    page.goto(f"{server}/?q=平台事件分拨准确率&kind=indicator")
    page.locator("#status", has_text="平台事件分拨准确率").wait_for()
    hit = page.locator("#hits li.indicator").first
    hit.wait_for()
    assert "≥90%" in hit.locator(".target").inner_text()
    hit.locator("a", has_text="在文档中查看").click()
    page.wait_for_url("**view=document*")
    current = page.locator(".outline li.current")
    current.wait_for()
    assert "民意速办和智慧城市建设中心" in page.locator("#other-view h2").inner_text()
    assert "表" in current.inner_text()  # the tables part, where the indicator table is
    page.screenshot(path=ARTIFACTS / "5-document.png", full_page=True)


def test_a_hit_opens_its_page_with_the_row_marked(page, pdf_server):
    page.goto(f"{pdf_server}/?q=审计管理业务&kind=project")
    hit = page.locator("#hits li.project").first
    hit.wait_for()
    hit.locator("a", has_text="在文档中查看").click()
    page.wait_for_url("**view=document*")
    rendered(page)
    image = page.locator("#page-image")
    page.wait_for_function(
        "() => { const i = document.getElementById('page-image');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    source = image.get_attribute("src")
    assert "/pages/" in source and "highlight=" in source
    number = int(source.split("/pages/")[1].split(".png")[0])
    assert f"第 {number} /" in page.locator(".page-nav").inner_text()
    pdf_link = page.locator(".page-nav a", has_text="在 PDF 中打开此页")
    assert pdf_link.get_attribute("href").endswith(f"/file#page={number}")
    page.screenshot(path=ARTIFACTS / "7-document-page.png", full_page=True)
    readme_screenshot(page, "document.png")
    # the next page, and back
    page.locator(".page-nav a[rel=next]").click()
    rendered(page)
    assert f"/pages/{number + 1}.png" in page.locator("#page-image").get_attribute("src")
    page.go_back()
    rendered(page)
    assert f"/pages/{number}.png" in page.locator("#page-image").get_attribute("src")


def test_a_text_document_shows_its_text_with_the_hit_marked(page, pdf_server):
    page.goto(f"{pdf_server}/?q=民意速办&kind=project")
    hit = page.locator("#hits li.project").first
    hit.wait_for()
    title = hit.locator(".title").inner_text()
    hit.locator("a", has_text="在文档中查看").click()
    page.wait_for_url("**view=document*")
    rendered(page)
    marks = page.locator("#doc-text mark")
    marks.first.wait_for()
    assert marks.first.inner_text() == title
    assert page.locator("#page-image").count() == 0


def test_country_wide_facets_in_the_page(page, server):
    page.goto(f"{server}/?kind=document")
    rendered(page)
    for name in ("doc_type", "province", "city", "level", "district"):
        assert page.locator(f'.facet[data-facet="{name}"] label').count() >= 1, name
    assert "广东省" in counts(page, "province")
    assert "深圳市" in counts(page, "city")
    # a district is shown with its city, never a bare 市本级
    districts = counts(page, "district")
    assert districts and all(label.startswith("深圳市 ") for label in districts)
    page.screenshot(path=ARTIFACTS / "6-country-facets.png", full_page=True)

    page.locator('.facet[data-facet="level"] label', has_text="区县级").locator("input").check()
    page.wait_for_url("**level=*")
    rendered(page)
    assert "市本级" not in " ".join(counts(page, "district"))
    page.locator('.facet[data-facet="district"] label', has_text="福田区").locator("input").check()
    page.wait_for_url("**district=*")
    rendered(page)
    assert "district=深圳市/福田区" in unquote(page.url)  # the place, not a bare name
    metas = page.locator("#hits li .meta").all_inner_texts()
    assert metas and all("福田区" in meta for meta in metas)


# What a hostile PDF could put in any name: markup that breaks out of an attribute or a text
POISON = "\"><img src=x onerror=\"window.__pwned=1\"> x' onfocus='window.__pwned=1' autofocus='"


def poisoned(value):
    """Every string in a JSON body with POISON after it."""
    if isinstance(value, str):
        return value + POISON
    if isinstance(value, list):
        return [poisoned(v) for v in value]
    if isinstance(value, dict):
        return {k: poisoned(v) for k, v in value.items()}
    return value


def injected(page) -> list[str]:
    """Elements that gained an event-handler attribute, and whether injected script ran."""
    return page.evaluate(
        """() => [...document.querySelectorAll('*')]
              .filter((el) => [...el.attributes].some((a) => a.name.startsWith('on')))
              .map((el) => el.outerHTML.slice(0, 120))
              .concat(window.__pwned ? ['window.__pwned set'] : [])"""
    )


def poison(route):
    """Every string of a JSON response, and a text document's text, with POISON after it."""
    response = route.fetch()
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/json"):
        route.fulfill(response=response, json=poisoned(response.json()))
    elif kind.startswith("text/plain"):  # a text document's original
        route.fulfill(response=response, body=response.text() + POISON)
    else:  # page images
        route.fulfill(response=response)


def assert_views_safe(page, server, views: list[str]) -> None:
    for view in views:
        page.goto(f"{server}/?{view}")
        rendered(page)
        assert POISON in page.locator("#other-view").inner_text(), view
        assert injected(page) == [], view


def test_poisoned_api_responses_are_shown_as_text(page, server):
    hit = httpx.get(f"{server}/api/search", params={"q": "民意速办"}).json()["hits"][0]
    views = [
        f"view=timeline&q={quote('民意速办')}",
        f"view=document&id={hit['document_id']}&title={quote(hit['title'])}",
        f"view=department&name={quote(hit['department'])}",
        "view=documents",
        f"view=compare&q={quote(hit['department'][-4:])}",
    ]
    page.route("**/api/**", poison)
    try:
        page.goto(f"{server}/?q={quote('民意速办')}")
        rendered(page)
        assert page.locator("#hits li").count() >= 1
        assert POISON in page.locator("#hits li .title").first.inner_text()  # shown, as text
        page.fill("#q", "民意")
        page.locator("#suggestions li").first.wait_for()
        assert injected(page) == []
        assert_views_safe(page, server, views)
    finally:
        # wait for a handler still fetching: unrouted mid-flight, it would answer a request
        # of the next test's page ("Route is already handled")
        page.unroute_all(behavior="wait")


def test_a_poisoned_page_view_is_shown_as_text(page, pdf_server):
    search = {"q": "审计管理业务", "kind": "project"}
    hit = httpx.get(f"{pdf_server}/api/search", params=search).json()["hits"][0]
    view = f"view=document&id={hit['document_id']}&page={hit['page']}&at={hit['id']}"
    page.route("**/api/**", poison)
    try:
        assert_views_safe(page, pdf_server, [view])
        assert page.locator("#page-image").count() == 1
    finally:
        # wait for a handler still fetching: unrouted mid-flight, it would answer a request
        # of the next test's page ("Route is already handled")
        page.unroute_all(behavior="wait")


def test_the_page_forbids_inline_script(server):
    policy = httpx.get(server).headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]


def test_active_filters_are_chips_that_remove_them(page, server):
    # a shared URL whose year is in no facet (no budget of 1999): its chip still shows
    page.goto(
        f"{server}/?q={quote('民意速办')}&district={quote('深圳市/福田区')}&kind=project&year=1999"
    )
    rendered(page)
    chips = page.locator("#chips .chip")
    assert sorted(chips.all_inner_texts()) == [
        "区域: 深圳市 福田区 ×",
        "年度: 1999 ×",
        "类型: 项目 ×",
    ]
    chips.filter(has_text="1999").click()
    page.wait_for_url(lambda url: "year=" not in url)
    rendered(page)
    assert page.locator("#hits li").count() >= 1
    assert page.locator("#chips .chip").count() == 2
    page.locator("#chips button.clear").click()
    page.wait_for_url(lambda url: "district=" not in url and "kind=" not in url)
    rendered(page)
    assert page.locator("#chips button").count() == 0
    assert page.locator("#q").input_value() == "民意速办"  # the search itself stays
    page.screenshot(path=ARTIFACTS / "7-chips-cleared.png", full_page=True)


def test_the_suggestions_are_an_aria_combobox(page, server):
    page.goto(server)
    rendered(page)
    box = page.locator("#q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    box.fill("民意")
    page.locator("#suggestions li[role=option]").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    first = page.locator("#suggestions li").first
    assert first.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    chosen = first.get_attribute("data-text")
    box.press("Escape")
    assert page.locator("#suggestions").is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    # Enter on an option searches for it
    box.fill("民意")
    page.locator("#suggestions li[role=option]").first.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(f"**q={quote(chosen)}*")
    rendered(page)


def test_the_pager_and_the_more_link_are_links(page, server):
    page.goto(f"{server}/?size=5")
    rendered(page)
    next_link = page.locator("#pager a[rel=next]")
    assert "page=2" in next_link.get_attribute("href")
    next_link.click()
    page.wait_for_url("**page=2*")
    rendered(page)
    assert "第 2 /" in page.locator("#pager").inner_text()
    page.go_back()
    rendered(page)
    assert "page=2" not in page.url
    # a facet with more values than listed offers more (a small facet_size truncates them)
    page.goto(f"{server}/?facet_size=2")
    rendered(page)
    more = page.locator('.facet[data-facet="department"] a.more')
    assert "facet_size=8" in more.get_attribute("href")
    assert page.locator('.facet[data-facet="department"] label').count() == 2
    more.click()
    page.wait_for_url("**facet_size=8*")
    rendered(page)
    assert page.locator('.facet[data-facet="department"] label').count() > 2


def test_the_documents_list_is_paged(page, server):
    page.goto(f"{server}/?view=documents&size=2")
    rendered(page)
    assert "已收录 5 份文档" in page.locator("#other-view h2").inner_text()
    first_page = page.locator("#other-view tbody tr").all_inner_texts()
    assert len(first_page) == 2
    page.locator("#other-view .pager a[rel=next]").first.click()
    page.wait_for_url("**page=2*")
    rendered(page)
    second_page = page.locator("#other-view tbody tr").all_inner_texts()
    assert len(second_page) == 2 and not set(first_page) & set(second_page)
    assert "第 2 / 3 页" in page.locator("#other-view .pager").first.inner_text()


def test_the_compare_view_sets_bodies_of_one_kind_side_by_side(page, server):
    # from a department's view, to every place's body of its kind
    page.goto(f"{server}/?view=department&name={quote('深圳市罗湖区政务服务数据管理局(本级)')}")
    rendered(page)
    page.locator("a.compare-link").click()
    page.wait_for_url("**view=compare*")
    rendered(page)
    assert page.locator("#compare-q").input_value() == "政务服务数据管理局"
    headers = page.locator("table.compare thead th").all_inner_texts()[1:]
    assert headers == ["深圳市罗湖区政务服务数据管理局(本级)", "深圳市福田区政务服务数据管理局"]
    rows = {
        row.locator("th").inner_text(): row.locator("td").all_inner_texts()
        for row in page.locator("table.compare tbody tr").all()
    }
    assert rows["年度"] == ["2024", "2020"]
    assert rows["“三公”经费"] == ["2.65 万元", "9.34 万元"]
    assert all(rows["主要项目"])
    page.screenshot(path=ARTIFACTS / "8-compare.png", full_page=True)
    # another kind, from the view's own form
    page.fill("#compare-q", "民意速办")
    page.press("#compare-q", "Enter")
    page.wait_for_url(f"**q={quote('民意速办')}*")
    rendered(page)
    headers = page.locator("table.compare thead th").all_inner_texts()[1:]
    assert headers == ["深圳市福田区民意速办和智慧城市建设中心"]


def test_the_page_says_how_far_an_indexing_run_behind_it_is(page, server):
    status = ARTIFACTS / "api.log.status.json"
    running = {"state": "indexing", "pid": os.getpid(), "total": 147, "done": 12, "failed": 0}
    status.write_text(json.dumps({**running, "unchanged": 0, "records": 3456}), encoding="utf-8")
    try:
        page.goto(server)
        rendered(page)
        line = page.locator("#indexing")
        line.wait_for()
        assert "12 / 147" in line.inner_text() and "3456" in line.inner_text()
        # the run ends: the line goes (the page asks every two seconds)
        status.write_text(json.dumps({**running, "state": "done", "done": 147}), encoding="utf-8")
        line.wait_for(state="hidden")
    finally:
        status.unlink(missing_ok=True)


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def test_nothing_is_fetched_from_outside_the_machine(page, server):
    """On a network with no route out (政务内网), the page and the API's documentation load
    everything from the API itself: every request to another address is aborted and counted,
    and there must be none, while the page answers a query and /docs lists the operations."""
    context = page.context.browser.new_context(locale="zh-CN")
    outside: list[str] = []

    def loopback_only(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOOPBACK:
            outside.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", loopback_only)
    try:
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        tab.goto(f"{server}/?q={quote('民意速办')}")
        rendered(tab)
        assert "民意速办" in tab.locator("#hits li .title").first.inner_text()

        operations = len(httpx.get(f"{server}/openapi.json").json()["paths"])
        tab.goto(f"{server}/docs")
        tab.locator(".opblock").first.wait_for()
        assert tab.locator(".opblock").count() >= operations
        assert "/api/search" in tab.locator("#swagger-ui").inner_text()
        tab.screenshot(path=ARTIFACTS / "docs-offline.png")
    finally:
        context.close()
    assert outside == []


def test_the_page_marks_a_synthetic_demo_as_such(page, server, seed_index, monkeypatch):
    page.goto(server)
    rendered(page)
    assert page.locator("#synthetic").is_hidden()  # real budgets: no mark
    monkeypatch.setenv("SYNTHETIC_DEMO", "true")  # as `make run` sets it for the demo
    settings, _ = seed_index
    with serving(settings, "api-demo.log") as demo:
        page.goto(f"{demo}/?view=documents")
        page.locator("#synthetic").wait_for()
        assert "合成示例数据" in page.locator("#synthetic").inner_text()
