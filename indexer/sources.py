"""Finding the files to ingest under the paths given on the command line."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import supported_extensions


class UsageError(Exception):
    """A path given by the user does not exist or names nothing we can read."""


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest: where it is, and the name records show for it.

    ``name`` is relative to ``root``, the folder given on the command line (a file given
    directly shows its own name, under its folder), so no server path reaches the API: the
    root is stored for the API to serve the file from, and never shown. ``key`` identifies the
    file on this machine (a digest of its absolute path), for replacing its earlier records.
    """

    path: Path
    name: str
    root: Path | None = None

    @classmethod
    def of(cls, path: Path) -> "SourceFile":
        path = path.resolve()
        return cls(path, path.name, path.parent)

    @property
    def key(self) -> str:
        return source_key(self.path)


def document_id(path: Path) -> str:
    """Derived from the content, so the same file indexed twice (or from two places) is one.
    Streamed, so a large file is not held in memory for it."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()[:16]


def source_key(path: Path) -> str:
    return hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]


def find_sources(paths: Iterable[str]) -> list[SourceFile]:
    """Files given directly (any extension: an unsupported one is reported later, not dropped)
    and, under folders, every file with a supported extension, in a stable order. README files
    in a folder describe the folder and are not budgets, so walking a folder skips them."""
    extensions = supported_extensions()
    found: list[SourceFile] = []
    for arg in paths:
        path = Path(arg)
        if path.is_file():
            found.append(SourceFile.of(path))
        elif path.is_dir():
            found.extend(
                SourceFile(p.resolve(), p.relative_to(path).as_posix(), path.resolve())
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in extensions
                and not p.name.upper().startswith("README.")
            )
        else:
            raise UsageError(f"no such file or folder: {arg}")
    unique: dict[Path, SourceFile] = {}
    for source in found:
        unique.setdefault(source.path, source)
    return list(unique.values())


def shard(paths: list[SourceFile], number: int, count: int) -> list[SourceFile]:
    """The files of shard ``number`` of ``count`` (1-based): each file goes to one shard, by a
    digest of its name relative to the folder given, so N machines given the same folder split
    it the same way, whatever order they list it in."""

    def of(source: SourceFile) -> int:
        return int.from_bytes(hashlib.sha256(source.name.encode()).digest()[:8], "big") % count

    return [source for source in paths if of(source) == number - 1]
