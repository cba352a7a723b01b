"""The FastAPI application, built by ``create_app(settings)``: routes call the query builder
and search functions, nothing more.

Nothing is built at import: the routes are declared on a router, and ``create_app`` makes an
app of them over the settings it is given, with its middleware, error handlers, static files,
page cache and rate limiter. ``python -m search_api`` serves ``create_app()``; the tests build
an app for each set of settings they need.
"""

import gc
import importlib.resources
import pathlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from elasticsearch import ApiError as EsApiError
from elasticsearch import TransportError
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from indexer import __version__, segment
from indexer import admin as generations
from indexer.settings import Settings, get_settings
from indexer.status import read_status
from search_api import export, pages, store
from search_api.deps import EsDep, SettingsDep, SyncEsDep
from search_api.documents import compare_bodies, get_department, get_document, list_documents
from search_api.errors import (
    BadRequest,
    Conflict,
    NotFound,
    documented,
    error_response,
    install_error_handlers,
)
from search_api.observe import METRICS_TYPE, RequestLogMiddleware, metrics_text
from search_api.params import (
    MAX_FILTER_VALUES,
    IndicatorQuery,
    IndicatorQueryDep,
    RecordQuery,
    RecordQueryDep,
    openapi_parameters,
)
from search_api.query import MAX_Q_LENGTH, MAX_WINDOW, SearchParams, years_problem
from search_api.responses import JsonResponse
from search_api.schemas import (
    CompareResponse,
    DepartmentView,
    DocumentList,
    DocumentView,
    Generations,
    Healthy,
    IndexingStatus,
    Ready,
    RolledBack,
    SearchResponse,
    SuggestResponse,
    TimelineResponse,
)
from search_api.search import run_search
from search_api.security import RateLimitMiddleware, limiter_from, require_admin
from search_api.suggest import MAX_SUGGEST_Q, suggest
from search_api.timeline import timeline

STATIC = pathlib.Path(__file__).with_name("static")
# Swagger UI from a wheel (fastapi-offline's files; only those are used), so that /docs works
# on a machine with no route to the internet: FastAPI's own page loads it from a CDN. No
# /redoc: ReDoc still fetches its logo from its CDN.
DOCS_ASSETS = importlib.resources.files("fastapi_offline") / "static"


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Load the segmenter's dictionary now (about a second) rather than on the first search.
    segment.cutters()
    # What is loaded now lives as long as the app (about 100,000 objects of the imported
    # libraries): frozen, out of the collector's reach. Each full collection walked them all:
    # under load more than once a second, 30-75 ms each with every request in flight held up
    # (BENCHMARKS.md).
    gc.collect()
    gc.freeze()
    async with store.lifespan_clients(app.state):
        yield


def openapi_schema(app: FastAPI) -> dict:
    """FastAPI's schema without the 422 it lists on every route with parameters: this API
    answers a bad parameter with 400 and its own error body (errors.py), as each route says."""
    schema = app.openapi_schema
    if schema is None:
        schema = FastAPI.openapi(app)  # kept as app.openapi_schema too
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].pop("422", None)
        for unused in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(unused, None)
    return schema


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API and its page over ``settings`` (by default the environment's: get_settings()),
    which the routes read from ``app.state.settings`` (deps.api_settings)."""
    if settings is None:
        settings = get_settings()
    app = FastAPI(
        lifespan=lifespan,
        title="预算检索 · Budget Search",
        description="Full-text and faceted search over Chinese government department budgets.",
        version=__version__,
        default_response_class=JsonResponse,
        docs_url=None,  # served by the router, from local files
        redoc_url=None,  # see DOCS_ASSETS
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.openapi = lambda: openapi_schema(app)  # type: ignore[method-assign]
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(DOCS_ASSETS)), name="docs-assets")
    # The router's routes themselves, as @app.get would have put them: FastAPI's include_router
    # resolves an included router's routes on each request, which cost 10-65 µs of CPU more
    # per request here. Every app shares them, so app.dependency_overrides does not reach
    # them: an app's settings are the ones it is built with.
    app.router.routes.extend(router.routes)
    app.state.limiter = limiter_from(settings)
    app.state.page_cache = pages.PageCache(
        pathlib.Path(settings.page_cache_dir), settings.page_cache_mb * 2**20
    )
    app.add_middleware(RateLimitMiddleware, state=app.state)
    cors_origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if cors_origins:  # closed unless configured
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET"])
    app.add_middleware(RequestLogMiddleware)  # the outermost: it sees every answer, 429s included
    return app


router = APIRouter(default_response_class=JsonResponse)  # the app's (create_app)
FilterValues = Query(max_length=MAX_FILTER_VALUES)
SEARCH_ERRORS = documented(400, 429, 503)
LOOKUP_ERRORS = documented(400, 404, 429, 503)
# Routes return JsonResponse themselves: the bodies are plain JSON already, and FastAPI's
# jsonable_encoder pass over them cost more than the rest of the request's Python work
# (BENCHMARKS.md).


# The page runs only its own script: no inline script, no script from elsewhere (a name that
# slipped through escaping still could not run). Inline style attributes are allowed (the
# timeline's bar heights).
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/", include_in_schema=False)
def home() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=PAGE_HEADERS)


@router.get("/docs", include_in_schema=False)
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=f"{request.app.title} · API",
        swagger_js_url="/docs-assets/swagger-ui-bundle.js",
        swagger_css_url="/docs-assets/swagger-ui.css",
        swagger_favicon_url="/docs-assets/favicon.png",
        # no badge from the online validator (validator.swagger.io)
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/healthz", tags=["health"], response_model=Healthy)
async def healthz() -> dict:
    """The process is up (says nothing about Elasticsearch)."""
    return {"status": "ok"}


@router.get(
    "/metrics",
    tags=["health"],
    response_class=Response,
    responses={200: {"content": {METRICS_TYPE: {}}}},
)
async def metrics() -> Response:
    """Prometheus metrics: requests by route and status, their latencies, and Elasticsearch
    errors by kind."""
    return Response(metrics_text(), media_type=METRICS_TYPE)


@router.get("/readyz", tags=["health"], response_model=Ready, responses=documented(503))
async def readyz(es: EsDep, settings: SettingsDep) -> JsonResponse:
    """Elasticsearch answers and the index exists; 503 otherwise."""
    if not await store.is_reachable(es):
        return error_response(503, "search_unavailable", "Elasticsearch is not reachable")
    try:
        exists = await store.alias_exists(es, settings.alias)
    except (EsApiError, TransportError):
        return error_response(503, "search_unavailable", "Elasticsearch did not answer")
    if not exists:
        return error_response(503, "index_missing", f"the index '{settings.alias}' does not exist")
    return JsonResponse({"status": "ready", "index": settings.alias})


@router.get(
    "/api/search",
    tags=["search"],
    response_model=SearchResponse,
    responses=SEARCH_ERRORS,
    openapi_extra=openapi_parameters(RecordQuery),
)
async def search(es: EsDep, settings: SettingsDep, query: RecordQueryDep) -> JsonResponse:
    """Full-text and faceted search over all records (documents, sections, projects,
    indicators, table rows). Filters repeat: OR within a field, AND across fields."""
    return JsonResponse(await run_search(es, settings.alias, query.params(), query.cursor))


@router.get(
    "/api/indicators",
    tags=["search"],
    response_model=SearchResponse,
    responses=SEARCH_ERRORS,
    openapi_extra=openapi_parameters(IndicatorQuery),
)
async def indicators(es: EsDep, settings: SettingsDep, query: IndicatorQueryDep) -> JsonResponse:
    """Indicators by their parsed targets: 满意度 with a target of at least 90% is
    q=满意度&op=≥&value_min=90&target_unit=%. ``unit`` is the 预算单位, as on /api/search."""
    params = query.params(kind=["indicator"])
    return JsonResponse(await run_search(es, settings.alias, params, query.cursor))


EXPORTS = {
    "csv": (export.csv_lines, "text/csv; charset=utf-8"),
    "jsonl": (export.jsonl_lines, "application/x-ndjson; charset=utf-8"),
}


@router.get(
    "/api/search.{fmt}",
    tags=["export"],
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **SEARCH_ERRORS,
    },
    openapi_extra=openapi_parameters(RecordQuery),
)
async def search_export(
    es: EsDep, settings: SettingsDep, query: RecordQueryDep, fmt: Literal["csv", "jsonl"]
) -> StreamingResponse:
    """Every hit of the search (the parameters of /api/search), streamed whatever the count:
    /api/search.csv (UTF-8 with a BOM, so a spreadsheet opens it) or /api/search.jsonl."""
    records = await export.rows(es, settings.alias, query.params(deep=True, page=1))
    lines, media_type = EXPORTS[fmt]
    return StreamingResponse(
        lines(records),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="budget-search.{fmt}"'},
    )


@router.get(
    "/api/projects/timeline",
    tags=["search"],
    response_model=TimelineResponse,
    responses=SEARCH_ERRORS,
)
async def projects_timeline(
    es: EsDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_Q_LENGTH)],
    district: Annotated[list[str], FilterValues] = [],  # noqa: B006
    department: Annotated[list[str], FilterValues] = [],  # noqa: B006
) -> JsonResponse:
    """A project across years, departments and districts: series by normalized name (and the
    curated data/lineage.toml), points by year with the change on the year before. The
    matching rule is in search_api/timeline.py."""
    params = SearchParams(q=q, district=district, department=department)
    return JsonResponse(await timeline(es, settings.alias, params))


@router.get(
    "/api/suggest", tags=["search"], response_model=SuggestResponse, responses=SEARCH_ERRORS
)
async def suggestions(
    es: EsDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=MAX_SUGGEST_Q)] = "",
) -> JsonResponse:
    """Completions for the search box: project and indicator names, departments."""
    return JsonResponse(await suggest(es, settings.alias, q))


@router.get(
    "/api/departments/{department}",
    tags=["documents"],
    response_model=DepartmentView,
    responses=LOOKUP_ERRORS,
)
async def department_view(es: EsDep, settings: SettingsDep, department: str) -> JsonResponse:
    """A department across its years: totals, documents and its largest projects."""
    if len(department) > 100:
        raise BadRequest("department name too long", code="invalid_parameter")
    return JsonResponse(await get_department(es, settings.alias, department))


@router.get(
    "/api/status", tags=["health"], response_model=IndexingStatus, responses=documented(429)
)
def indexing_status(settings: SettingsDep) -> JsonResponse:
    """The last indexing run on this machine: ``state`` (indexing, done, failed, interrupted),
    files ``done`` of ``total``, ``failed``, ``unchanged`` (skipped), ``records``, and its
    ``started``/``updated`` times (Unix seconds); ``{"state": null}`` when none has run.
    ``synthetic`` is true when the index holds the synthetic demo, not real budgets."""
    status = read_status(pathlib.Path(settings.index_status_file)) or {"state": None}
    return JsonResponse({**status, "synthetic": settings.synthetic_demo})


@router.get(
    "/api/compare", tags=["documents"], response_model=CompareResponse, responses=SEARCH_ERRORS
)
async def compare(
    es: EsDep,
    settings: SettingsDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_SUGGEST_Q,
            description="part of the bodies' names: 政务服务数据管理局 compares every city's",
        ),
    ],
    year: Annotated[list[int], FilterValues] = [],  # noqa: B006
) -> JsonResponse:
    """Budgets of one kind of body across places and years, side by side: each document's
    total, stated 三公经费 and largest top-level projects (at most 50 documents)."""
    if not q.strip():
        raise BadRequest("q is required: part of the bodies' names", code="invalid_parameter")
    if problem := years_problem(year):
        raise BadRequest(problem, code="invalid_parameter")
    return JsonResponse(await compare_bodies(es, settings.alias, q.strip(), year))


@router.get(
    "/api/documents", tags=["documents"], response_model=DocumentList, responses=SEARCH_ERRORS
)
async def documents(
    es: EsDep,
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, le=MAX_WINDOW)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JsonResponse:
    """Every document with its metadata and record counts by kind."""
    if page * size > MAX_WINDOW:
        raise BadRequest(f"page * size may not exceed {MAX_WINDOW}", code="invalid_parameter")
    return JsonResponse(await list_documents(es, settings.alias, page, size))


@router.get(
    "/api/documents/{document_id}",
    tags=["documents"],
    response_model=DocumentView,
    responses=LOOKUP_ERRORS,
)
async def document(
    es: EsDep,
    settings: SettingsDep,
    document_id: str,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> JsonResponse:
    """One document's metadata, record counts and section outline; with ``page``, the text of
    the sections on that page too (``page_sections``)."""
    return JsonResponse(await get_document(es, settings.alias, _document_id(document_id), page))


def _document_id(document_id: str) -> str:
    if len(document_id) > 64:
        raise BadRequest("document id too long", code="invalid_parameter")
    return document_id


@router.get(
    "/api/documents/{document_id}/file",
    tags=["documents"],
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}, "text/plain": {}}}, **LOOKUP_ERRORS},
)
async def document_file(es: EsDep, settings: SettingsDep, document_id: str) -> FileResponse:
    """The original file as indexed, inline (a PDF opens at a page with ``#page=N``)."""
    path = await pages.original_file(es, settings.alias, _document_id(document_id))
    media_type = pages.MEDIA_TYPES.get(path.suffix.lower(), "text/plain; charset=utf-8")
    return FileResponse(
        path, media_type=media_type, filename=path.name, content_disposition_type="inline"
    )


@router.get(
    "/api/documents/{document_id}/pages/{number}.png",
    tags=["documents"],
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **LOOKUP_ERRORS},
)
async def document_page(
    request: Request,
    es: EsDep,
    settings: SettingsDep,
    document_id: str,
    number: Annotated[int, Path(ge=1, le=100_000)],
    highlight: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Page ``number`` (1-based) rendered as PNG; with ``highlight=RECORD_ID`` the box the
    record was read from is drawn on it (when the record is on this page)."""
    path = await pages.original_file(es, settings.alias, _document_id(document_id))
    if path.suffix.lower() != ".pdf":
        raise NotFound(f"document '{document_id}' is text: it has no pages to render")
    box = None
    if highlight:
        page, bbox = await pages.record_box(es, settings.alias, document_id, highlight)
        box = bbox if page == number else None
    cache = request.app.state.page_cache
    png = await run_in_threadpool(pages.page_png, cache, path, document_id, number, box)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


# Admin: the only endpoints that change anything, behind the ADMIN_TOKEN (security.py).
AdminDep = Depends(require_admin)


@router.get(
    "/api/admin/generations",
    tags=["admin"],
    dependencies=[AdminDep],
    response_model=Generations,
    responses=documented(401, 403, 429, 503),
)
def admin_generations(es: SyncEsDep, settings: SettingsDep) -> JsonResponse:
    """The index generations behind the alias: the current one and the one it replaced."""
    with store.es_errors():
        current = generations.current_index(es, settings)
        return JsonResponse(
            {
                "alias": settings.alias,
                "current": current,
                "previous": current and generations.previous_generation(es, current),
                "generations": generations.generations(es, settings),
            }
        )


@router.post(
    "/api/admin/rollback",
    tags=["admin"],
    dependencies=[AdminDep],
    response_model=RolledBack,
    responses=documented(401, 403, 409, 429, 503),
)
def admin_rollback(es: SyncEsDep, settings: SettingsDep) -> JsonResponse:
    """Points the alias back at the generation the last rebuild replaced
    (``python -m indexer --rollback``)."""
    with store.es_errors():
        try:
            left, now = generations.rollback(es, settings)
        except generations.AdminError as exc:
            raise Conflict(str(exc)) from exc
    return JsonResponse({"alias": settings.alias, "current": now, "was": left})
