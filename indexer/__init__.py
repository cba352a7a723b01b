"""From a budget file on disk to records in Elasticsearch.

The modules follow the data flow: sources (finding files) -> extract (text per format) ->
textnorm (decoding and normalization) -> metadata / sections (budget structure into records)
-> segment (jieba) -> bulk (records into Elasticsearch) -> cli.
"""

from importlib import metadata

__version__ = metadata.version("budget-search")  # pyproject.toml's, installed or editable
