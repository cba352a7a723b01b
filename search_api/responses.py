"""The API's JSON responses, written by orjson: Python's json module took about a fifth of a
cached search's CPU in the API (BENCHMARKS.md, "The API's own cost")."""

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class JsonResponse(JSONResponse):
    """Starlette's JSONResponse (UTF-8, no ASCII escapes), serialized by orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
