"""Writes the golden files tests/test_golden.py compares the parser against.

    .venv/bin/python scripts/golden.py [FILE...]   (default: the seeds and CHECKED_PDFS)
    .venv/bin/python scripts/golden.py --metadata  (every real PDF's metadata)

Regenerate only after a parser change, then read the diff line by line against the documents:
a golden file is a hand-checked statement of what each document says, not a snapshot to bless.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.extract import extractor_for  # noqa: E402
from indexer.records import build_records  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLDEN = ROOT / "tests" / "golden"


def golden_of(path: Path, extracted=None) -> dict:
    extracted = extracted or extractor_for(path).extract(path)
    records = build_records(path, "golden", extracted)
    document = records[0]
    return {
        "metadata": {
            key: getattr(document, key)
            for key in ("department", "district", "city", "year", "total_wan")
        },
        "projects": [
            [r.unit, r.parent, r.name, r.amount_wan] for r in records if r.kind == "project"
        ],
        "warnings": document.warnings,
        "indicators": [
            [r.project, r.level1, r.level2, r.name, r.target.model_dump()]
            for r in records
            if r.kind == "indicator"
        ],
    }


def golden_path(path: Path) -> Path:
    return GOLDEN / f"{path.stem}.json"


# The real PDFs whose projects and indicators were checked by hand; every real PDF's metadata is.
CHECKED_PDFS = (
    "shenzhen-2026/2026年深圳市审计局部门预算.pdf",
    "shenzhen-2026/2026年深圳市交通运输局部门预算.pdf",
    "other/2026年泉州市人民政府办公室部门预算.pdf",
    "other/2026年广州市政务服务和数据管理局部门预算.pdf",
    "other/上海市普陀区商务委员会25年预算.pdf",
)
METADATA = GOLDEN / "realpdfs-metadata.json"


def main(argv: list[str]) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    if argv == ["--metadata"]:
        metadata = {
            p.name: golden_of(p)["metadata"] for p in sorted((SHARED / "realpdfs").rglob("*.pdf"))
        }
        METADATA.write_text(
            json.dumps(metadata, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return
    files = [Path(a) for a in argv] or [
        *sorted((SHARED / "corpus").glob("0*.txt")),
        *(SHARED / "realpdfs" / name for name in CHECKED_PDFS),
    ]
    for path in files:
        data = golden_of(path)
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        golden_path(path).write_text(text, encoding="utf-8")
        print(
            f"{path.name}: {len(data['projects'])} projects, {len(data['indicators'])} indicators"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
