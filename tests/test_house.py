"""The house's shape, checked (CONVENTIONS.md, "The house"): only a door module calls the
Elasticsearch client. Everything else hands the client to the door's functions, so what the
project asks of Elasticsearch is read, and changed, in one place per package.

The source is read, not run: these tests need no node.
"""

import ast
from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("indexer", "search_api")  # scanned recursively
DOORS = {"indexer/es.py", "search_api/store.py"}  # the modules that may call the client
RECEIVERS = {"es", "client", "self.es", "self.client"}  # what the client is called in the code
API = {
    "bulk",
    "cat",
    "clear_scroll",
    "close_point_in_time",
    "cluster",
    "count",
    "create",
    "delete",
    "delete_by_query",
    "exists",
    "get",
    "index",
    "indices",
    "info",
    "mget",
    "msearch",
    "open_point_in_time",
    "options",
    "perform_request",
    "ping",
    "scroll",
    "search",
    "transport",
    "update",
}


def receiver(node: ast.expr) -> str | None:
    """``es`` for ``es.search``, ``self.es`` for ``self.es.bulk``; None for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def client_calls(source: str) -> list[str]:
    """Each use of a client's API in ``source`` (``es.indices``, ``client.options`` …), as
    ``line: code``. Strings and comments that name one are not code, and are left alone."""
    uses = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute)
        and node.attr in API
        and receiver(node.value) in RECEIVERS
    ]
    return [f"{node.lineno}: {ast.unparse(node)}" for node in sorted(uses, key=lambda n: n.lineno)]


def modules() -> dict[str, Path]:
    """Every module of the scanned packages, by its path relative to the checkout."""
    return {
        path.relative_to(ROOT).as_posix(): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def test_only_the_doors_call_the_elasticsearch_client():
    found = modules()
    assert "indexer/cli.py" in found and "indexer/parse/amounts.py" in found  # subpackages too
    outside = {
        name: calls
        for name, path in found.items()
        if name not in DOORS and (calls := client_calls(path.read_text(encoding="utf-8")))
    }
    assert outside == {}, f"call the client through a door ({', '.join(sorted(DOORS))})"


def test_every_door_is_a_module_that_calls_the_client():
    found = modules()
    for door in DOORS:
        assert door in found, f"{door} is not in the scanned packages {PACKAGES}"
        assert client_calls(found[door].read_text(encoding="utf-8")), door


def test_calls_on_a_client_are_told_from_strings_and_other_objects():
    source = '''
"""Not ``es.search()``: a docstring."""
es.indices.refresh(index=name)
response = es.options(request_timeout=5).bulk(operations=lines)
self.es.indices.put_settings(index=self.index, settings={})
async def f(client):
    return await client.search(index="x")
note = "es.count(index=x)"  # es.delete(index=x)
result = search_hits(es, index, query, 10, [])
words.count("a"), params.get("q"), self.es_url.split(","), es_options.update({})
'''
    assert client_calls(source) == [
        "3: es.indices",
        "4: es.options",
        "5: self.es.indices",
        "7: client.search",
    ]
