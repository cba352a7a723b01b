"""The search routes read their query parameters themselves (search_api/params.py): they must
read, reject and document them exactly as FastAPI's own handling of the same model does."""

import gc
from typing import Annotated

import pytest
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient

from indexer.settings import Settings
from search_api.app import create_app, router
from search_api.errors import install_error_handlers
from search_api.params import (
    IndicatorQuery,
    IndicatorQueryDep,
    RecordQuery,
    RecordQueryDep,
    openapi_parameters,
)


def side_by_side() -> FastAPI:
    """FastAPI reading each model (/fastapi/...) beside params.py reading it (/ours/...)."""
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/fastapi/records")
    async def fastapi_records(query: Annotated[RecordQuery, Query()]) -> dict:
        return query.model_dump()

    @app.get("/ours/records", openapi_extra=openapi_parameters(RecordQuery))
    async def our_records(query: RecordQueryDep) -> dict:
        return query.model_dump()

    @app.get("/fastapi/indicators")
    async def fastapi_indicators(query: Annotated[IndicatorQuery, Query()]) -> dict:
        return query.model_dump()

    @app.get("/ours/indicators", openapi_extra=openapi_parameters(IndicatorQuery))
    async def our_indicators(query: IndicatorQueryDep) -> dict:
        return query.model_dump()

    return app


QUERY_STRINGS = [
    "",
    "q=民意速办",
    "q=a&q=b",  # a repeated single value: the last one
    "year=2024&year=2023&district=福田区&district=&size=20&page=3",
    "kind=project&kind=indicator&unit=x&sort=amount_desc&expand=false&facet_size=7",
    "amount_min=1.5&amount_max=1e3&document_id=d1&cursor=start",
    "op=≥&op=<&value_min=90&value_max=100&target_unit=%25",
    "unknown=1&q=x",  # a name the route does not take is ignored
    # rejected, each with FastAPI's own message
    "size=0",
    "size=101&page=0",
    "year=二〇二四",
    "kind=bogus",
    "op=~",
    "amount_min=",
    "amount_min=x&value_max=y",
    "expand=maybe",
    "sort=best",
    "cursor=" + "x" * 4001,
    "&".join(f"district=d{n}" for n in range(51)),
]


@pytest.mark.parametrize("query_string", QUERY_STRINGS)
@pytest.mark.parametrize("route", ["records", "indicators"])
def test_parameters_are_read_and_rejected_as_fastapi_does(query_string, route):
    client = TestClient(side_by_side())
    theirs = client.get(f"/fastapi/{route}?{query_string}")
    ours = client.get(f"/ours/{route}?{query_string}")
    assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json())
    assert ours.status_code in (200, 400)


def test_a_rejected_parameter_is_named_in_the_message():
    response = TestClient(side_by_side()).get("/ours/records?size=0&year=x")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "size: Input should be greater than or equal to 1" in message
    assert "year.0: Input should be a valid integer" in message


def test_the_parameters_are_documented_as_fastapi_documents_them():
    paths = side_by_side().openapi()["paths"]
    for route in ("records", "indicators"):
        theirs = paths[f"/fastapi/{route}"]["get"]["parameters"]
        ours = paths[f"/ours/{route}"]["get"]["parameters"]
        assert ours == theirs


def test_the_api_documents_every_search_parameter():
    paths = create_app(Settings()).openapi()["paths"]
    for path, model in [
        ("/api/search", RecordQuery),
        ("/api/indicators", IndicatorQuery),
        ("/api/search.{fmt}", RecordQuery),
    ]:
        names = [p["name"] for p in paths[path]["get"]["parameters"] if p["in"] == "query"]
        assert names == list(model.model_fields)


def test_what_the_app_loads_is_kept_out_of_the_collector():
    """Frozen at start-up: a full collection no longer walks the imported libraries' objects
    (search_api.app.lifespan)."""
    gc.unfreeze()  # what an app started earlier in this process froze
    app = create_app(Settings())
    assert id(router.routes) in {id(o) for o in gc.get_objects()}
    with TestClient(app):
        assert id(router.routes) not in {id(o) for o in gc.get_objects()}
        assert gc.get_freeze_count() > 10_000
