"""The search routes' query parameters, each route's declared once as a pydantic model.

FastAPI resolves and validates a route's query parameters one at a time on every request. For
the search routes' 21 parameters that was about a fifth of the API's CPU per search
(BENCHMARKS.md). Here a route takes its parameters as one model (``from_query``). The query
string is read in one pass and validated in one pydantic call, with the same constraints and
error messages FastAPI's own validation gives (an error is still a ``RequestValidationError``,
answered as a 400 by errors.py). The same model documents the parameters in the OpenAPI schema
(``openapi_parameters``), so validation and documentation still come from one declaration.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar, get_origin

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from indexer.model import DocType, Kind
from search_api.errors import BadRequest
from search_api.query import (
    FACET_SIZE,
    MAX_FACET_SIZE,
    MAX_Q_LENGTH,
    MAX_SIZE,
    Op,
    SearchParams,
    Sort,
    validate,
)

MAX_FILTER_VALUES = 50
Model = TypeVar("Model", bound=BaseModel)


def _values(description: str | None = None, max_length: int = MAX_FILTER_VALUES):
    """A repeatable filter: OR within it, at most ``max_length`` values."""
    return Field([], max_length=max_length, description=description)


class SearchQuery(BaseModel):
    """The parameters every search endpoint takes."""

    q: str = Field(
        "", description=f"free text, at most {MAX_Q_LENGTH} characters; empty browses all"
    )
    doc_type: list[DocType] = _values()
    province: list[str] = _values()
    city: list[str] = _values()
    district: list[str] = _values(
        "a district (福田区, 市本级: any city's) or a place city/district (深圳市/福田区), "
        "as the district facet lists them"
    )
    level: list[str] = _values("中央, 省级, 市级, 区县级")
    year: list[int] = _values()
    department: list[str] = _values()
    level1: list[str] = _values()
    level2: list[str] = _values()
    amount_min: float | None = Field(None, description="万元")
    amount_max: float | None = Field(None, description="万元")
    document_id: list[str] = _values("search within documents")
    page: int = Field(1, ge=1)
    size: int = Field(10, ge=1, le=MAX_SIZE)
    sort: Sort = "relevance"
    expand: bool = Field(True, description="also search the related terms of data/concepts.toml")
    facet_size: int = Field(
        FACET_SIZE, ge=1, le=MAX_FACET_SIZE, description="values listed per facet"
    )
    cursor: str = Field(
        "",
        max_length=4000,
        description="'start' for the first page of a deep scroll, then each response's "
        "next_cursor (goes past the 10,000-hit window; page is ignored)",
    )

    def params(self, deep: bool = False, **extra) -> SearchParams:
        """The search parameters, checked; deep (a cursor or an export) has no 10,000 window."""
        fields = {name: getattr(self, name) for name in type(self).model_fields}
        del fields["cursor"]
        params = SearchParams(**{**fields, **extra})
        problem = validate(params, deep=deep or bool(self.cursor))
        if problem:
            raise BadRequest(problem, code="invalid_parameter")
        return params


class RecordQuery(SearchQuery):
    """/api/search and its exports."""

    kind: list[Kind] = _values()
    unit: list[str] = _values("预算单位")


class IndicatorQuery(SearchQuery):
    """/api/indicators: indicators by their parsed targets."""

    op: list[Op] = _values(max_length=5)
    value_min: float | None = Field(None, description="target value at least")
    value_max: float | None = Field(None, description="target value at most")
    target_unit: list[str] = _values("the target's unit: % 小时 个 …")
    unit: list[str] = _values("预算单位")


def from_query(model: type[Model]) -> Callable[[Request], Awaitable[Model]]:
    """A dependency: the model read from the request's query string. A repeated name is a list
    for a list field, and its last value otherwise; names the model does not have are ignored
    (both as FastAPI does)."""
    lists = {
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    }

    async def read(request: Request) -> Model:
        data: dict = {}
        for name, value in request.query_params.multi_items():
            if name in lists:
                data.setdefault(name, []).append(value)
            else:
                data[name] = value
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            errors = [{**err, "loc": ("query", *err["loc"])} for err in exc.errors()]
            raise RequestValidationError(errors) from None

    return read


def openapi_parameters(model: type[BaseModel]) -> dict:
    """The model's fields as a route's OpenAPI query parameters (its ``openapi_extra``): the
    entries FastAPI writes for parameters it reads itself."""
    properties = model.model_json_schema()["properties"]
    parameters = []
    for name, field in model.model_fields.items():
        schema = properties[name]
        parameter = {"name": name, "in": "query", "required": field.is_required(), "schema": schema}
        if field.description:
            parameter["description"] = field.description
        parameters.append(parameter)
    return {"parameters": parameters}


RecordQueryDep = Annotated[RecordQuery, Depends(from_query(RecordQuery))]
IndicatorQueryDep = Annotated[IndicatorQuery, Depends(from_query(IndicatorQuery))]
