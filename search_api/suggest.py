"""Completions for the search box (/api/suggest): project names, indicator names and
departments containing what was typed, most frequent first, those that begin with it first."""

from elasticsearch import AsyncElasticsearch

from search_api import store

MAX_SUGGEST_Q = 50
PER_KIND = 8


def wildcard_escape(text: str) -> str:
    """User text inside a wildcard pattern: its own * ? and \\ are literal."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def suggest_body(q: str) -> dict:
    pattern = f"*{wildcard_escape(q)}*"
    return {
        "size": 0,
        "query": {"match_all": {}},
        "aggs": {
            "names": {
                "filter": {
                    "bool": {
                        "filter": [
                            {"terms": {"kind": ["project", "indicator"]}},
                            {"wildcard": {"name": {"value": pattern}}},
                        ]
                    }
                },
                "aggs": {
                    "values": {"terms": {"field": "name", "size": 4 * PER_KIND}},
                },
            },
            "departments": {
                "filter": {"wildcard": {"department": {"value": pattern}}},
                "aggs": {"values": {"terms": {"field": "department", "size": PER_KIND}}},
            },
        },
    }


async def suggest(es: AsyncElasticsearch, index: str, q: str) -> dict:
    q = q.strip()
    if not q:
        return {"q": q, "suggestions": []}
    with store.es_errors():
        response = await store.search(es, index, suggest_body(q), cache=True)
    aggs = response["aggregations"]

    def ranked(buckets: list[dict], kind: str) -> list[dict]:
        items = [{"text": b["key"], "kind": kind, "count": b["doc_count"]} for b in buckets]
        items.sort(key=lambda s: (not s["text"].startswith(q), -s["count"], len(s["text"])))
        return items[:PER_KIND]

    return {
        "q": q,
        "suggestions": ranked(aggs["names"]["values"]["buckets"], "name")
        + ranked(aggs["departments"]["values"]["buckets"], "department"),
    }
