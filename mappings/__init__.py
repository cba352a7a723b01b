"""The index's mappings and settings, one JSON file per version (records.vN.json). A package so
that they travel inside a wheel; indexer/admin.py reads them with importlib.resources."""
