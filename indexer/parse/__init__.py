"""Budget structure from extracted text: projects, indicators, table rows, consistency checks.

Each module reads the document's lines (tables arrive either as tab-separated cells, from a
PDF's ruled tables or OCR output, or flattened into space-separated lines) and returns plain
dataclasses; records.py turns them into Records.
"""
