"""One error tree, one JSON shape: ``{"error": {"code": "...", "message": "..."}}``.

ApiError
├── BadRequest (400)          invalid or out-of-range parameters
├── Unauthorized (401)        an admin endpoint without the token (security.py)
├── AdminDisabled (403)       an admin endpoint while no token is set (security.py)
├── NotFound (404)            an unknown document, an unknown path
├── Conflict (409)            an admin action the index's state does not allow
└── ServiceUnavailable (503)  Elasticsearch down, or the index not built yet
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from search_api.responses import JsonResponse


class ApiError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class BadRequest(ApiError):
    status = 400
    code = "bad_request"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class AdminDisabled(ApiError):
    status = 403
    code = "admin_disabled"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class ServiceUnavailable(ApiError):
    status = 503
    code = "search_unavailable"


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers (OpenAPI's error responses show it)."""

    error: ErrorDetail


MEANINGS = {
    400: "invalid parameters (code invalid_parameter, invalid_query or invalid_cursor)",
    401: "an admin endpoint without the right token",
    403: "an admin endpoint while ADMIN_TOKEN is not set",
    404: "no such document, record, page or file",
    409: "an admin action the index's state does not allow",
    429: "too many requests from this client; Retry-After says when to try again",
    503: "Elasticsearch is unavailable, or the index is not built yet; Retry-After: 5",
}


def documented(*statuses: int) -> dict:
    """A route's error responses, for its OpenAPI entry."""
    return {status: {"model": ErrorBody, "description": MEANINGS[status]} for status in statuses}


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str) -> JsonResponse:
    headers = {"Retry-After": "5"} if status == 503 else None
    return JsonResponse(error_body(code, message), status_code=status, headers=headers)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "query")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JsonResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JsonResponse:
        return error_response(400, "invalid_parameter", _describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JsonResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _bug(_: Request, exc: Exception) -> JsonResponse:
        # A programming error: still JSON for the client; the traceback goes to the log.
        return error_response(500, "internal_error", "internal error; see the server log")
