"""``make eval``: the parser, without Elasticsearch, over every document in ../shared, measured
against the golden files read by eye (tests/golden/national/*.json), written to EXTRACTION.md.

    .venv/bin/python -m bench.eval [--out EXTRACTION.md] [--workers N]

Per city (a folder of ../shared/national; the other corpora by folder) and overall:
- coverage: the share of documents with each metadata field, a total, projects, indicators and
  line items, and how many pass the accounting identities (no data-quality warning);
- accuracy against the goldens: each metadata field right, the total right, and the share of
  hand-read projects (name and amount) and indicators (name and target) that were found;
- the slowest files.

Matching is after the text normalisation the indexer applies (NFKC, no spaces); a department
is compared without its "(本级)" tag, and a document the goldens call ``other`` is right when
the parser says ``other`` too (nothing else is read from it).
"""

import argparse
import json
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from indexer.extract import extractor_for
from indexer.limits import FileTimeout, time_limit
from indexer.records import build_records
from indexer.textnorm import normalize_text

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
GOLDEN = ROOT / "tests" / "golden" / "national"
FIELDS = ("doc_type", "province", "city", "district", "level", "year", "department", "unit")
FILE_SECONDS = 300


def parse_one(path: Path) -> dict:
    """What the parser reads from one file (in a worker process)."""
    started = time.monotonic()
    try:
        with time_limit(FILE_SECONDS):
            extracted = extractor_for(path).extract(path)
            records = build_records(path, "eval", extracted)
    except FileTimeout:
        return {"error": f"over {FILE_SECONDS} s", "seconds": time.monotonic() - started}
    except Exception as exc:  # noqa: BLE001 - reported per file, as the indexer does
        return {"error": f"{type(exc).__name__}: {exc}", "seconds": time.monotonic() - started}
    document = records[0]
    return {
        "meta": {field: getattr(document, field) for field in FIELDS},
        "total_wan": document.total_wan,
        "warnings": document.warnings,
        "pages": document.pages,
        "projects": [(r.name, r.amount_wan) for r in records if r.kind == "project"],
        "indicators": [
            (r.project, r.name, r.target.raw if r.target else None)
            for r in records
            if r.kind == "indicator"
        ],
        "line_items": sum(r.kind == "line_item" for r in records),
        "seconds": time.monotonic() - started,
    }


def norm(value) -> str:
    if value is None:
        return ""
    return "".join(normalize_text(str(value)).split())


def norm_department(value) -> str:
    return norm(value).removesuffix("(本级)")


def goldens() -> dict[str, dict]:
    """Golden documents by path relative to ../shared/national."""
    found = {}
    for path in sorted(GOLDEN.glob("*.json")):
        for doc in json.loads(path.read_text(encoding="utf-8"))["documents"]:
            found[doc["file"]] = doc
    return found


def compare(got: dict, want: dict) -> dict:
    """Per-field rightness of one document against its golden."""
    if "error" in got:
        return {"fields": dict.fromkeys(FIELDS, False), "total": False}
    meta = got["meta"]
    if want["doc_type"] == "other":
        right = meta["doc_type"] == "other"
        return {"fields": dict.fromkeys(FIELDS, right), "total": None}
    fields = {}
    for field in FIELDS:
        if field == "department":
            fields[field] = norm_department(meta[field]) == norm_department(want[field])
        elif field == "year":
            fields[field] = meta[field] == want[field]
        else:
            fields[field] = norm(meta[field]) == norm(want[field])
    total = want.get("total_wan")
    result: dict = {"fields": fields}
    result["total"] = (
        None
        if total is None
        else got["total_wan"] is not None and abs(got["total_wan"] - total) <= 0.011
    )
    if "projects" in want:
        result["projects"] = [
            any(
                norm(name) == norm(p["name"])
                and amount is not None
                and abs(amount - p["amount_wan"]) <= 0.011
                for name, amount in got["projects"]
            )
            for p in want["projects"]
        ]
    if "indicators" in want:
        result["indicators"] = [
            any(
                norm(name) == norm(i["name"]) and norm(raw) == norm(i["target"])
                for _, name, raw in got["indicators"]
            )
            for i in want["indicators"]
        ]
    return result


def group_of(path: Path) -> str:
    relative = path.relative_to(SHARED)
    if relative.parts[0] == "national":
        return relative.parts[1]
    return "/".join(relative.parts[:-1])


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}% ({part}/{whole})" if whole else "–"


def report(results: dict[Path, dict], seconds: float, workers: int) -> str:
    golden = goldens()
    groups: dict[str, list[Path]] = defaultdict(list)
    for path in results:
        groups[group_of(path)].append(path)
    order = sorted(groups, key=lambda g: (not g.isalpha() or "/" in g, g))
    lines = [
        "# Extraction quality",
        "",
        "Written by `make eval` (`bench/eval.py`): the parser alone, without Elasticsearch, over "
        f"every PDF and text file in ../shared ({len(results)} files, {workers} worker "
        f"processes, {seconds:.0f} s). Regenerate it after a parser change.",
        "",
        "## Coverage",
        "",
        "The share of documents for which the parser found each thing (right or not: the "
        "accuracy is below). *Identities* counts the budgets with no data-quality warning "
        "(totals and lists that add up, README 'Data-quality warnings').",
        "",
        "| group | files | failed | doc_type | department | year | city | total | projects "
        "| indicators | line items | identities |",
        "| --- | ---: | ---: | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]

    def coverage_row(name: str, paths: list[Path]) -> str:
        ok = [results[p] for p in paths if "error" not in results[p]]
        budgets = [r for r in ok if r["meta"]["doc_type"] != "other"]
        n = len(paths)

        def has(test) -> str:
            return pct(sum(1 for r in ok if test(r)), n)

        return (
            f"| {name} | {n} | {n - len(ok)} | "
            f"{has(lambda r: r['meta']['doc_type'])} | "
            f"{has(lambda r: r['meta']['department'])} | {has(lambda r: r['meta']['year'])} | "
            f"{has(lambda r: r['meta']['city'])} | {has(lambda r: r['total_wan'] is not None)} | "
            f"{has(lambda r: r['projects'])} | {has(lambda r: r['indicators'])} | "
            f"{has(lambda r: r['line_items'])} | "
            f"{pct(sum(1 for r in budgets if not r['warnings']), len(budgets))} |"
        )

    for group in order:
        lines.append(coverage_row(group, groups[group]))
    lines.append(coverage_row("**all**", list(results)))

    lines += [
        "",
        "## Accuracy against the goldens",
        "",
        "Goldens: tests/golden/national/*.json, read by eye from the pages (every document's "
        "metadata and total; projects and indicators for the detailed ones). *Metadata* is the "
        "share of documents with every field right; *total* is over the budgets whose golden "
        "has one; *projects* and *indicators* are the shares of hand-read rows found with their "
        "amount or target.",
        "",
        "| group | documents | metadata | " + " | ".join(FIELDS) + " | total | projects "
        "| indicators |",
        "| --- | ---: | --- | " + " | ".join("---" for _ in FIELDS) + " | --- | --- | --- |",
    ]
    misses: list[str] = []

    def accuracy_row(name: str, paths: list[Path]) -> str | None:
        compared, compared_paths = [], []
        for path in paths:
            key = str(path.relative_to(SHARED / "national")) if "national" in path.parts else ""
            if key in golden:
                compared.append((key, compare(results[path], golden[key])))
                compared_paths.append(path)
        if not compared:
            return None
        n = len(compared)
        cells = [f"| {name} | {n} | {pct(sum(all(c['fields'].values()) for _, c in compared), n)}"]
        cells += [pct(sum(c["fields"][f] for _, c in compared), n) for f in FIELDS]
        totals = [c["total"] for _, c in compared if c["total"] is not None]
        cells.append(pct(sum(totals), len(totals)))
        for kind in ("projects", "indicators"):
            found = [x for _, c in compared for x in c.get(kind, [])]
            cells.append(pct(sum(found), len(found)))
        if name != "**all**":
            for (key, c), path in zip(compared, compared_paths, strict=True):
                got = results[path]
                if "error" in got:
                    misses.append(f"- {key}: failed ({got['error']})")
                    continue
                wrong = [
                    f"{f} {got['meta'][f]!r} (golden {golden[key][f]!r})"
                    for f, right in c["fields"].items()
                    if not right
                ]
                if c["total"] is False:
                    wrong.append(
                        f"total {got['total_wan']!r} (golden {golden[key]['total_wan']!r})"
                    )
                if wrong:
                    misses.append(f"- {key}: {'; '.join(wrong)}")
        return " | ".join(cells) + " |"

    for group in order:
        row = accuracy_row(group, groups[group])
        if row:
            lines.append(row)
    national = [p for p in results if "national" in p.parts]
    lines.append(accuracy_row("**all**", national) or "")
    lines += ["", "Documents with a field wrong:", "", *(misses or ["- none"])]

    slowest = sorted(results, key=lambda p: -results[p]["seconds"])[:10]
    lines += [
        "",
        "## Slowest files",
        "",
        "| file | pages | seconds |",
        "| --- | ---: | ---: |",
        *(
            f"| {p.relative_to(SHARED)} | {results[p].get('pages') or '–'} | "
            f"{results[p]['seconds']:.1f} |"
            for p in slowest
        ),
    ]
    failed = [p for p in results if "error" in results[p]]
    if failed:
        lines += ["", "## Failed files", ""]
        lines += [f"- {p.relative_to(SHARED)}: {results[p]['error']}" for p in failed]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "EXTRACTION.md")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--only", default="", help="only files whose path under ../shared contains this"
    )
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"error: {SHARED} is absent; make eval reads its documents", file=sys.stderr)
        return 2
    paths = sorted(
        p
        for folder in ("national", "realpdfs", "corpus")
        for p in (SHARED / folder).rglob("*")
        if p.suffix.lower() in (".pdf", ".txt")
        and p.name.upper() != "README.TXT"
        and args.only in str(p.relative_to(SHARED))
    )
    started = time.monotonic()
    results: dict[Path, dict] = {}
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for n, (path, result) in enumerate(zip(paths, pool.map(parse_one, paths), strict=True), 1):
            results[path] = result
            status = result.get("error") or f"{len(result['projects'])} projects"
            print(
                f"[{n}/{len(paths)}] {path.relative_to(SHARED)}: {status} "
                f"({result['seconds']:.1f} s)",
                file=sys.stderr,
                flush=True,
            )
    args.out.write_text(report(results, time.monotonic() - started, args.workers), "utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
