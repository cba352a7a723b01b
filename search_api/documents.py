"""The document list, one document's metadata with its section outline, a department's view
across its years, and bodies of one kind compared across places and years."""

from elasticsearch import AsyncElasticsearch

from search_api.deps import es_errors
from search_api.errors import NotFound
from search_api.query import UNSHOWN
from search_api.schemas import DocumentFields
from search_api.suggest import wildcard_escape

# A document's fields from its record: the DocumentFields model's (schemas.py), but the id
DOCUMENT_FIELDS = tuple(f for f in DocumentFields.model_fields if f != "id")
TOP_PROJECTS = 10
OUTLINE_LIMIT = 1000
PAGE_SECTIONS = 20


def _document(source: dict) -> dict:
    out = {"id": source["document_id"]}
    out.update({name: source.get(name) for name in DOCUMENT_FIELDS})
    return out


async def _record_counts(
    es: AsyncElasticsearch, index: str, ids: list[str]
) -> dict[str, dict[str, int]]:
    if not ids:
        return {}
    response = await es.search(
        index=index,
        size=0,
        query={"terms": {"document_id": ids}},
        aggs={
            "docs": {
                "terms": {"field": "document_id", "size": len(ids)},
                "aggs": {"kinds": {"terms": {"field": "kind", "size": 10}}},
            }
        },
    )
    return {
        b["key"]: {k["key"]: k["doc_count"] for k in b["kinds"]["buckets"]}
        for b in response["aggregations"]["docs"]["buckets"]
    }


async def list_documents(es: AsyncElasticsearch, index: str, page: int, size: int) -> dict:
    with es_errors():
        response = await es.search(
            index=index,
            query={"term": {"kind": "document"}},
            sort=[{"year": "desc"}, {"department": "asc"}, {"document_id": "asc"}],
            from_=(page - 1) * size,
            size=size,
            source_excludes=UNSHOWN,
            track_total_hits=True,
        )
        docs = [_document(h["_source"]) for h in response["hits"]["hits"]]
        counts = await _record_counts(es, index, [d["id"] for d in docs])
    for doc in docs:
        doc["record_counts"] = counts.get(doc["id"], {})
        doc["records"] = sum(doc["record_counts"].values())
    return {
        "total": response["hits"]["total"]["value"],
        "page": page,
        "size": size,
        "documents": docs,
    }


def of_document(document_id: str, kind: str | None, *filters: dict) -> dict:
    """A query for one document's records (of one kind, unless None) matching every filter."""
    of_kind = [{"term": {"kind": kind}}] if kind else []
    return {"bool": {"filter": [{"term": {"document_id": document_id}}, *of_kind, *filters]}}


async def get_document(
    es: AsyncElasticsearch, index: str, document_id: str, page: int | None = None
) -> dict:
    """The document's metadata, record counts and outline; with ``page``, also the text of the
    sections on that page (``_page_sections``)."""
    with es_errors():
        response = await es.search(
            index=index,
            query=of_document(document_id, "document"),
            size=1,
            source_excludes=UNSHOWN,
        )
        hits = response["hits"]["hits"]
        if not hits:
            raise NotFound(f"no document with id '{document_id}'")
        doc = _document(hits[0]["_source"])
        outline = await es.search(
            index=index,
            query=of_document(document_id, "section"),
            sort=[{"position": "asc"}],
            size=OUTLINE_LIMIT,
            source_includes=["title", "path", "page", "position"],
        )
        doc["record_counts"] = (await _record_counts(es, index, [document_id])).get(document_id, {})
    doc["records"] = sum(doc["record_counts"].values())
    doc["outline"] = [{"id": h["_id"], **h["_source"]} for h in outline["hits"]["hits"]]
    if page is not None:
        doc["page_sections"] = await _page_sections(es, index, document_id, page)
    return doc


async def _page_sections(
    es: AsyncElasticsearch, index: str, document_id: str, page: int
) -> list[dict]:
    """The section running onto the page (the last one starting before it) and those starting
    on it, in order."""
    fields = ["title", "path", "page", "position", "text"]

    async def sections(on_pages: dict, order: str, size: int) -> list[dict]:
        response = await es.search(
            index=index,
            query=of_document(document_id, "section", {"range": {"page": on_pages}}),
            sort=[{"position": order}],
            size=size,
            source_includes=fields,
        )
        return response["hits"]["hits"]

    with es_errors():
        hits = await sections({"lt": page}, "desc", 1) + await sections(
            {"gte": page, "lte": page}, "asc", PAGE_SECTIONS
        )
    return [{"id": h["_id"], **h["_source"]} for h in hits]


async def get_department(es: AsyncElasticsearch, index: str, department: str) -> dict:
    """A department across its years: each year's documents and totals, and its largest
    top-level projects."""
    of_department = {"term": {"department": department}}
    with es_errors():
        documents = await es.search(
            index=index,
            query={"bool": {"filter": [of_department, {"term": {"kind": "document"}}]}},
            sort=[{"year": "desc"}],
            size=100,
            source_excludes=UNSHOWN,
        )
        if not documents["hits"]["hits"]:
            raise NotFound(f"no department named '{department}'")
        projects = await es.search(
            index=index,
            query={
                "bool": {
                    "filter": [of_department, {"term": {"kind": "project"}}],
                    "must_not": [{"exists": {"field": "parent"}}],
                }
            },
            sort=[{"amount_wan": {"order": "desc", "missing": "_last"}}],
            size=TOP_PROJECTS,
            source_includes=["name", "amount_wan", "year", "unit", "page", "document_id"],
        )
    docs = [_document(h["_source"]) for h in documents["hits"]["hits"]]
    first = docs[0]
    return {
        "department": department,
        "city": first["city"],
        "district": first["district"],
        "years": [
            {"year": d["year"], "total_wan": d["total_wan"], "change": d["change"], "document": d}
            for d in docs
        ],
        "top_projects": [{"id": h["_id"], **h["_source"]} for h in projects["hits"]["hits"]],
    }


COMPARE_LIMIT = 50  # documents compared at most
COMPARE_PROJECTS = 5  # largest top-level projects shown for each


async def compare_bodies(es: AsyncElasticsearch, index: str, q: str, years: list[int]) -> dict:
    """Budgets of every body whose name contains ``q`` (政务服务数据管理局: each city's and
    district's), newest first: totals, 三公 and largest top-level projects side by side."""
    filters: list[dict] = [
        {"term": {"kind": "document"}},
        {"wildcard": {"department": {"value": f"*{wildcard_escape(q)}*"}}},
    ]
    if years:
        filters.append({"terms": {"year": years}})
    with es_errors():
        found = await es.search(
            index=index,
            query={"bool": {"filter": filters, "must_not": [{"term": {"doc_type": "other"}}]}},
            sort=[{"year": "desc"}, {"city": "asc"}, {"department": "asc"}],
            size=COMPARE_LIMIT,
            source_excludes=UNSHOWN,
            track_total_hits=True,
        )
        docs = [_document(h["_source"]) for h in found["hits"]["hits"]]
        projects = await _largest_projects(es, index, [d["id"] for d in docs])
    return {
        "q": q,
        "total": found["hits"]["total"]["value"],
        "bodies": [{**doc, "top_projects": projects.get(doc["id"], [])} for doc in docs],
    }


async def _largest_projects(
    es: AsyncElasticsearch, index: str, ids: list[str]
) -> dict[str, list[dict]]:
    if not ids:
        return {}
    response = await es.search(
        index=index,
        size=0,
        query={
            "bool": {
                "filter": [{"terms": {"document_id": ids}}, {"term": {"kind": "project"}}],
                "must_not": [{"exists": {"field": "parent"}}],
            }
        },
        aggs={
            "docs": {
                "terms": {"field": "document_id", "size": len(ids)},
                "aggs": {
                    "largest": {
                        "top_hits": {
                            "size": COMPARE_PROJECTS,
                            "sort": [{"amount_wan": {"order": "desc", "missing": "_last"}}],
                            "_source": {"includes": ["name", "amount_wan", "page"]},
                        }
                    }
                },
            }
        },
    )
    return {
        bucket["key"]: [
            {"id": hit["_id"], **hit["_source"]} for hit in bucket["largest"]["hits"]["hits"]
        ]
        for bucket in response["aggregations"]["docs"]["buckets"]
    }
