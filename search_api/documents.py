"""The document list, one document's metadata with its section outline, and a department's
view across its years."""

from elasticsearch import Elasticsearch

from search_api.deps import es_errors
from search_api.errors import NotFound
from search_api.query import UNSHOWN

DOCUMENT_FIELDS = (
    "title",
    "doc_type",
    "department",
    "unit",
    "units",
    "province",
    "city",
    "district",
    "level",
    "year",
    "total_wan",
    "source_file",
    "pages",
    "ocr",
    "ocr_confidence",
    "warnings",
    "change",
)
TOP_PROJECTS = 10
OUTLINE_LIMIT = 1000


def _document(source: dict) -> dict:
    out = {"id": source["document_id"]}
    out.update({name: source.get(name) for name in DOCUMENT_FIELDS})
    return out


def _record_counts(es: Elasticsearch, index: str, ids: list[str]) -> dict[str, dict[str, int]]:
    if not ids:
        return {}
    response = es.search(
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


def list_documents(es: Elasticsearch, index: str, page: int, size: int) -> dict:
    with es_errors():
        response = es.search(
            index=index,
            query={"term": {"kind": "document"}},
            sort=[{"year": "desc"}, {"department": "asc"}, {"document_id": "asc"}],
            from_=(page - 1) * size,
            size=size,
            source_excludes=UNSHOWN,
            track_total_hits=True,
        )
        docs = [_document(h["_source"]) for h in response["hits"]["hits"]]
        counts = _record_counts(es, index, [d["id"] for d in docs])
    for doc in docs:
        doc["record_counts"] = counts.get(doc["id"], {})
        doc["records"] = sum(doc["record_counts"].values())
    return {
        "total": response["hits"]["total"]["value"],
        "page": page,
        "size": size,
        "documents": docs,
    }


def _of_document(document_id: str, kind: str) -> dict:
    return {"bool": {"filter": [{"term": {"document_id": document_id}}, {"term": {"kind": kind}}]}}


def get_document(es: Elasticsearch, index: str, document_id: str) -> dict:
    with es_errors():
        response = es.search(
            index=index,
            query=_of_document(document_id, "document"),
            size=1,
            source_excludes=UNSHOWN,
        )
        hits = response["hits"]["hits"]
        if not hits:
            raise NotFound(f"no document with id '{document_id}'")
        doc = _document(hits[0]["_source"])
        outline = es.search(
            index=index,
            query=_of_document(document_id, "section"),
            sort=[{"position": "asc"}],
            size=OUTLINE_LIMIT,
            source_includes=["title", "path", "page", "position"],
        )
        doc["record_counts"] = _record_counts(es, index, [document_id]).get(document_id, {})
    doc["records"] = sum(doc["record_counts"].values())
    doc["outline"] = [{"id": h["_id"], **h["_source"]} for h in outline["hits"]["hits"]]
    return doc


def get_department(es: Elasticsearch, index: str, department: str) -> dict:
    """A department across its years: each year's documents and totals, and its largest
    top-level projects."""
    of_department = {"term": {"department": department}}
    with es_errors():
        documents = es.search(
            index=index,
            query={"bool": {"filter": [of_department, {"term": {"kind": "document"}}]}},
            sort=[{"year": "desc"}],
            size=100,
            source_excludes=UNSHOWN,
        )
        if not documents["hits"]["hits"]:
            raise NotFound(f"no department named '{department}'")
        projects = es.search(
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
