"""Finding the files to ingest under the paths given on the command line."""

from collections.abc import Iterable
from pathlib import Path

from indexer.extract import supported_extensions


class UsageError(Exception):
    """A path given by the user does not exist or names nothing we can read."""


def find_sources(paths: Iterable[str]) -> list[Path]:
    """Files given directly (any extension: an unsupported one is reported later, not dropped)
    and, under folders, every file with a supported extension, in a stable order. README files
    in a folder describe the folder and are not budgets, so walking a folder skips them."""
    extensions = supported_extensions()
    found: list[Path] = []
    for arg in paths:
        path = Path(arg)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in extensions
                    and not p.name.upper().startswith("README.")
                )
            )
        else:
            raise UsageError(f"no such file or folder: {arg}")
    unique: dict[Path, None] = dict.fromkeys(p.resolve() for p in found)
    return list(unique)
