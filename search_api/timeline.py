"""A project across years, departments and districts (/api/projects/timeline).

The matching rule, in order:

1. The projects whose name matches every word of the query are fetched, best first.
2. They are grouped into series by normalized name (indexer/parse/names.py: spaces, brackets
   and widths unified; year tags such as (2024) and suffixes such as 项目/经费 dropped), and by
   the curated [[same_project]] groups of data/lineage.toml for renamed projects.
3. In a series, each point is one project record: a year, a district, a department and unit,
   an amount. A point's year-over-year change is computed against the same organisation's point
   of the year before, where both exist; an organisation is its unit (or department), with the
   predecessors of a reorganisation ([[successor]] in data/lineage.toml) counted as the unit
   they became.
4. Series are ordered by their best match, points by year (then district).
"""

import tomllib
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from elasticsearch import AsyncElasticsearch

from indexer.parse.names import normalize_name
from search_api import store
from search_api.query import SearchParams, name_query
from search_api.schemas import POINT_FIELDS, Point

LINEAGE = Path(__file__).with_name("data") / "lineage.toml"
MAX_PROJECTS = 500
MAX_SERIES = 20
# what a point shows (its series' name, and the record fields of schemas.Point): fetching only
# these, not whole records, took a third off the timeline's CPU in the API (BENCHMARKS.md)
SOURCE_FIELDS = ["name", *POINT_FIELDS]  # a project's title is its name (indexer/records.py)
# a point with all its fields, each None until the record or the timeline sets it
EMPTY_POINT = dict.fromkeys(Point.model_fields)


@dataclass(frozen=True)
class Lineage:
    names: dict[str, str] = field(default_factory=dict)  # normalized name -> series name
    successors: dict[str, str] = field(default_factory=dict)  # predecessor -> successor

    def series_of(self, name: str) -> str:
        key = _normalized(name)
        return self.names.get(key, key)

    def organisation(self, unit: str | None, department: str | None) -> str:
        org = unit or department or ""
        if org not in self.successors:  # most: no reorganisation to follow
            return org
        seen = set()
        while org in self.successors and org not in seen:
            seen.add(org)
            org = self.successors[org]
        return org


@lru_cache(maxsize=2**16)
def _normalized(name: str) -> str:
    """A project's normalized name, remembered: a timeline's 500 hits share a few names, and
    normalizing each took two fifths of the grouping's time."""
    return normalize_name(name)


@cache
def load_lineage(path: Path = LINEAGE) -> Lineage:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    names = {}
    for group in data.get("same_project", []):
        canonical = normalize_name(group["names"][0])
        names.update({normalize_name(n): canonical for n in group["names"]})
    successors = {
        predecessor: entry["unit"]
        for entry in data.get("successor", [])
        for predecessor in entry["predecessors"]
    }
    return Lineage(names, successors)


def build_series(hits: list[dict], lineage: Lineage) -> list[dict]:
    """Hits (best first) into series of points, as the module docstring says. Each hit's
    source is as timeline_body asks for it: the project's name and the point's fields."""
    series: dict[str, list[dict]] = {}
    names: dict[str, str] = {}
    for hit in hits:
        source = hit["_source"]
        name = source.pop("name", None) or ""
        # a point is the record's fields (None for those it lacks) and what is computed here
        point = {**EMPTY_POINT, **source}
        point["id"] = hit["_id"]
        point["organisation"] = lineage.organisation(point["unit"], point["department"])
        key = lineage.series_of(name)
        if key in series:
            series[key].append(point)
        else:
            names[key], series[key] = name, [point]
    out = []
    for key, points in list(series.items())[:MAX_SERIES]:
        points.sort(key=_year_district)
        add_changes(points)
        out.append({"name": names[key], "points": points})
    return out


def _year_district(point: dict) -> tuple[int, str]:
    return point["year"] or 0, point["district"] or ""


def add_changes(points: list[dict]) -> None:
    """Each point's change on the same organisation's point of the year before, where that
    organisation has one point that year (changes are None otherwise, as EMPTY_POINT has them)."""
    only: dict[tuple[str, int | None], dict | None] = {}  # None: more than one point
    for point in points:
        key = (point["organisation"], point["year"])
        only[key] = None if key in only else point
    for point in points:
        before = only.get((point["organisation"], (point["year"] or 0) - 1))
        if before is not None and before["amount_wan"] and point["amount_wan"] is not None:
            change = point["amount_wan"] - before["amount_wan"]
            point["change_wan"] = round(change, 2)
            point["change_pct"] = round(100 * change / before["amount_wan"], 1)


def timeline_body(params: SearchParams) -> dict:
    """The Elasticsearch request of a timeline: the best-matching projects, filtered."""
    return {
        "query": {
            "bool": {
                "must": [name_query(params.q)],
                "filter": [{"term": {"kind": "project"}}]
                + [
                    {"terms": {f: params.selected(f)}}
                    for f in ("district", "department", "year")
                    if params.selected(f)
                ],
            }
        },
        "size": MAX_PROJECTS,
        "sort": ["_score", {"year": "asc"}],
        "source_includes": SOURCE_FIELDS,
        # each hit's id and source only: its index, score and sort values were more than half
        # of the time to parse the answer (BENCHMARKS.md)
        "filter_path": ["hits.hits._id", "hits.hits._source"],
    }


async def timeline(es: AsyncElasticsearch, index: str, params: SearchParams) -> dict:
    params.kind = ["project"]
    with store.es_errors():
        response = await store.search(es, index, timeline_body(params), cache=True)
    hits = response.get("hits", {}).get("hits", [])  # filter_path leaves nothing of none
    return {"q": params.q, "series": build_series(hits, load_lineage())}
