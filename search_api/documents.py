"""The document list, one document's metadata with its section outline, a department's view
across its years, and bodies of one kind compared across places and years.

Each request is built by a pure function (``*_body``); the coroutines send them through the
door (store.py) and shape the answers, copying the fields the response models (schemas.py)
take from the records."""

from elasticsearch import AsyncElasticsearch

from search_api import store
from search_api.errors import NotFound
from search_api.query import UNSHOWN
from search_api.schemas import (
    COMPARED_PROJECT_FIELDS,
    DEPARTMENT_PROJECT_FIELDS,
    DOCUMENT_FIELDS,
    OUTLINE_FIELDS,
    SECTION_FIELDS,
)
from search_api.suggest import wildcard_escape

TOP_PROJECTS = 10
OUTLINE_LIMIT = 1000
PAGE_SECTIONS = 20
COMPARE_LIMIT = 50  # documents compared at most
COMPARE_PROJECTS = 5  # largest top-level projects shown for each


def format_document(source: dict) -> dict:
    out = {"id": source["document_id"]}
    out.update({name: source.get(name) for name in DOCUMENT_FIELDS})
    return out


def _with_id(hit: dict) -> dict:
    """A hit's source with its id first (the fields fetched are the response model's)."""
    return {"id": hit["_id"], **hit["_source"]}


def of_document(document_id: str, kind: str | None, *filters: dict) -> dict:
    """A query for one document's records (of one kind, unless None) matching every filter."""
    of_kind = [{"term": {"kind": kind}}] if kind else []
    return {"bool": {"filter": [{"term": {"document_id": document_id}}, *of_kind, *filters]}}


# --- Request bodies (pure)


def documents_body(page: int, size: int) -> dict:
    """A page of the document records, newest first."""
    return {
        "query": {"term": {"kind": "document"}},
        "sort": [{"year": "desc"}, {"department": "asc"}, {"document_id": "asc"}],
        "from_": (page - 1) * size,
        "size": size,
        "source_excludes": UNSHOWN,
        "track_total_hits": True,
    }


def record_counts_body(ids: list[str]) -> dict:
    """The documents' records counted by kind."""
    return {
        "size": 0,
        "query": {"terms": {"document_id": ids}},
        "aggs": {
            "docs": {
                "terms": {"field": "document_id", "size": len(ids)},
                "aggs": {"kinds": {"terms": {"field": "kind", "size": 10}}},
            }
        },
    }


def document_body(document_id: str) -> dict:
    """The document's own record."""
    return {"query": of_document(document_id, "document"), "size": 1, "source_excludes": UNSHOWN}


def outline_body(document_id: str) -> dict:
    """The document's sections in order: the outline's fields only."""
    return {
        "query": of_document(document_id, "section"),
        "sort": [{"position": "asc"}],
        "size": OUTLINE_LIMIT,
        "source_includes": list(OUTLINE_FIELDS),
    }


def sections_body(document_id: str, on_pages: dict, order: str, size: int) -> dict:
    """The document's sections starting on the pages of the range ``on_pages``, with their
    text, by position (``order``: asc or desc)."""
    return {
        "query": of_document(document_id, "section", {"range": {"page": on_pages}}),
        "sort": [{"position": order}],
        "size": size,
        "source_includes": list(SECTION_FIELDS),
    }


def department_documents_body(department: str) -> dict:
    """The department's document records, newest first."""
    return {
        "query": {
            "bool": {
                "filter": [{"term": {"department": department}}, {"term": {"kind": "document"}}]
            }
        },
        "sort": [{"year": "desc"}],
        "size": 100,
        "source_excludes": UNSHOWN,
    }


def department_projects_body(department: str) -> dict:
    """The department's largest top-level projects."""
    return {
        "query": {
            "bool": {
                "filter": [{"term": {"department": department}}, {"term": {"kind": "project"}}],
                "must_not": [{"exists": {"field": "parent"}}],
            }
        },
        "sort": [{"amount_wan": {"order": "desc", "missing": "_last"}}],
        "size": TOP_PROJECTS,
        "source_includes": list(DEPARTMENT_PROJECT_FIELDS),
    }


def compare_body(q: str, years: list[int]) -> dict:
    """The document records of the bodies whose name contains ``q`` (of these years, if any),
    newest first."""
    filters: list[dict] = [
        {"term": {"kind": "document"}},
        {"wildcard": {"department": {"value": f"*{wildcard_escape(q)}*"}}},
    ]
    if years:
        filters.append({"terms": {"year": years}})
    return {
        "query": {"bool": {"filter": filters, "must_not": [{"term": {"doc_type": "other"}}]}},
        "sort": [{"year": "desc"}, {"city": "asc"}, {"department": "asc"}],
        "size": COMPARE_LIMIT,
        "source_excludes": UNSHOWN,
        "track_total_hits": True,
    }


def largest_projects_body(ids: list[str]) -> dict:
    """Each document's largest top-level projects."""
    return {
        "size": 0,
        "query": {
            "bool": {
                "filter": [{"terms": {"document_id": ids}}, {"term": {"kind": "project"}}],
                "must_not": [{"exists": {"field": "parent"}}],
            }
        },
        "aggs": {
            "docs": {
                "terms": {"field": "document_id", "size": len(ids)},
                "aggs": {
                    "largest": {
                        "top_hits": {
                            "size": COMPARE_PROJECTS,
                            "sort": [{"amount_wan": {"order": "desc", "missing": "_last"}}],
                            "_source": {"includes": list(COMPARED_PROJECT_FIELDS)},
                        }
                    }
                },
            }
        },
    }


# --- Answers


async def _record_counts(
    es: AsyncElasticsearch, index: str, ids: list[str]
) -> dict[str, dict[str, int]]:
    if not ids:
        return {}
    response = await store.search(es, index, record_counts_body(ids))
    return {
        b["key"]: {k["key"]: k["doc_count"] for k in b["kinds"]["buckets"]}
        for b in response["aggregations"]["docs"]["buckets"]
    }


async def list_documents(es: AsyncElasticsearch, index: str, page: int, size: int) -> dict:
    with store.es_errors():
        response = await store.search(es, index, documents_body(page, size))
        docs = [format_document(h["_source"]) for h in response["hits"]["hits"]]
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


async def get_document(
    es: AsyncElasticsearch, index: str, document_id: str, page: int | None = None
) -> dict:
    """The document's metadata, record counts and outline; with ``page``, also the text of the
    sections on that page (``_page_sections``)."""
    with store.es_errors():
        hits = (await store.search(es, index, document_body(document_id)))["hits"]["hits"]
        if not hits:
            raise NotFound(f"no document with id '{document_id}'")
        doc = format_document(hits[0]["_source"])
        outline = await store.search(es, index, outline_body(document_id))
        doc["record_counts"] = (await _record_counts(es, index, [document_id])).get(document_id, {})
    doc["records"] = sum(doc["record_counts"].values())
    doc["outline"] = [_with_id(h) for h in outline["hits"]["hits"]]
    if page is not None:
        doc["page_sections"] = await _page_sections(es, index, document_id, page)
    return doc


async def _page_sections(
    es: AsyncElasticsearch, index: str, document_id: str, page: int
) -> list[dict]:
    """The section running onto the page (the last one starting before it) and those starting
    on it, in order."""

    async def sections(on_pages: dict, order: str, size: int) -> list[dict]:
        body = sections_body(document_id, on_pages, order, size)
        return (await store.search(es, index, body))["hits"]["hits"]

    with store.es_errors():
        hits = await sections({"lt": page}, "desc", 1) + await sections(
            {"gte": page, "lte": page}, "asc", PAGE_SECTIONS
        )
    return [_with_id(h) for h in hits]


async def get_department(es: AsyncElasticsearch, index: str, department: str) -> dict:
    """A department across its years: each year's documents and totals, and its largest
    top-level projects."""
    with store.es_errors():
        documents = await store.search(es, index, department_documents_body(department))
        if not documents["hits"]["hits"]:
            raise NotFound(f"no department named '{department}'")
        projects = await store.search(es, index, department_projects_body(department))
    docs = [format_document(h["_source"]) for h in documents["hits"]["hits"]]
    first = docs[0]
    return {
        "department": department,
        "city": first["city"],
        "district": first["district"],
        "years": [
            {"year": d["year"], "total_wan": d["total_wan"], "change": d["change"], "document": d}
            for d in docs
        ],
        "top_projects": [_with_id(h) for h in projects["hits"]["hits"]],
    }


async def compare_bodies(es: AsyncElasticsearch, index: str, q: str, years: list[int]) -> dict:
    """Budgets of every body whose name contains ``q`` (政务服务数据管理局: each city's and
    district's), newest first: totals, 三公 and largest top-level projects side by side."""
    with store.es_errors():
        found = await store.search(es, index, compare_body(q, years))
        docs = [format_document(h["_source"]) for h in found["hits"]["hits"]]
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
    response = await store.search(es, index, largest_projects_body(ids))
    return {
        bucket["key"]: [_with_id(hit) for hit in bucket["largest"]["hits"]["hits"]]
        for bucket in response["aggregations"]["docs"]["buckets"]
    }
