"""From a budget file on disk to records in Elasticsearch.

The modules follow the data flow: sources (finding files) -> extract (text per format) ->
textnorm (decoding and normalization) -> metadata / sections (budget structure into records)
-> segment (jieba) -> workers (files prepared in parallel) -> bulk (records into Elasticsearch;
stale, load) -> cli. Every request to Elasticsearch goes through es.
"""

import sys
from importlib import metadata
from pathlib import Path

__version__ = metadata.version("budget-search")  # pyproject.toml's, installed or editable


def program_name(module_form: str) -> str:
    """The command as it was typed: budget-index, or ``python -m indexer``."""
    name = Path(sys.argv[0]).name
    return module_form if name in ("__main__.py", "-c", "") else name
