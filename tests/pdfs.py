"""Small PDFs made by the tests themselves (no documents are copied from ../shared)."""

import zlib
from pathlib import Path

from pypdf import PdfReader, PdfWriter


def table_pdf(title: str, rows: list[list[str]]) -> bytes:
    """One page: a title line, then a ruled table. A cell's text may hold a newline: the cell
    then wraps over two lines, as narrow columns do in published budgets."""
    width, height, left, top = 200, 36, 72, 680
    ops = [f"BT /F1 12 Tf {left} 720 Td ({title}) Tj ET"]
    for r in range(len(rows) + 1):  # horizontal rules
        y = top - r * height
        ops.append(f"{left} {y} m {left + width * len(rows[0])} {y} l S")
    for c in range(len(rows[0]) + 1):  # vertical rules
        x = left + c * width
        ops.append(f"{x} {top} m {x} {top - height * len(rows)} l S")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            for k, piece in enumerate(cell.split("\n")):
                x, y = left + c * width + 6, top - r * height - 14 - k * 13
                ops.append(f"BT /F1 10 Tf {x} {y} Td ({piece}) Tj ET")
    return _pdf(["\n".join(ops)])


def text_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of ASCII text per page (an empty string: a page with no text,
    as a scan without OCR has)."""
    return _pdf([f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET" if text else "" for text in pages])


def table_off_the_page_pdf() -> bytes:
    """A title, and a ruled table drawn below the bottom edge of the page (as a misplaced
    layout leaves it): pdfplumber finds the table outside the page's box."""
    left, top, width, height = 72, -20, 300, 40
    ops = [f"BT /F1 12 Tf {left} 720 Td (Budget table below the page) Tj ET"]
    for r in range(6):
        ops.append(f"{left} {top - r * height} m {left + 2 * width} {top - r * height} l S")
    for c in range(3):
        ops.append(f"{left + c * width} {top} m {left + c * width} {top - 5 * height} l S")
    for r in range(5):
        for c in range(2):
            x, y = left + c * width + 6, top - r * height - 20
            ops.append(f"BT /F1 10 Tf {x} {y} Td (cell {r} {c}) Tj ET")
    return _pdf(["\n".join(ops)])


def rotated_table_pdf(title: str, rows: list[list[str]]) -> bytes:
    """A landscape page stored rotated, as budget tables often are: a portrait MediaBox with
    /Rotate 90, its title and ruled table drawn turned so that a viewer shows them upright."""
    width = 612  # the stored page's width: the shown page's height

    def at(x: float, y: float) -> str:  # a point of the shown page, in stored coordinates
        return f"{width - y} {x}"

    cell_w, cell_h, left, top = 220, 30, 60, 520
    ops = [f"BT /F1 12 Tf 0 1 -1 0 {at(left, 560)} Tm ({title}) Tj ET"]
    for r in range(len(rows) + 1):
        y = top - r * cell_h
        ops.append(f"{at(left, y)} m {at(left + cell_w * len(rows[0]), y)} l S")
    for c in range(len(rows[0]) + 1):
        x = left + c * cell_w
        ops.append(f"{at(x, top)} m {at(x, top - cell_h * len(rows))} l S")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            x, y = left + c * cell_w + 6, top - r * cell_h - 20
            ops.append(f"BT /F1 10 Tf 0 1 -1 0 {at(x, y)} Tm ({cell}) Tj ET")
    return _pdf(["\n".join(ops)], rotate=90)


def inflating_pdf(megabytes: int) -> bytes:
    """A page whose content stream inflates to ``megabytes`` MB of blanks from a file of about
    a thousandth of that: a reader that inflates the stream whole needs that much memory."""
    packer = zlib.compressobj(9)
    chunk = b" " * 2**20
    content = b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()
    return _pdf([""], content=content)


def slow_pdf(operators: int = 400_000) -> bytes:
    """A small file whose one page draws ``operators`` characters (its content stream is
    compressed): reading it takes minutes, as a pathological published PDF can."""
    content = zlib.compress(
        b"BT /F1 4 Tf "
        + b"".join(b"%d %d Td (x) Tj " % (i % 3, -(i % 2)) for i in range(operators))
        + b"ET"
    )
    return _pdf([""], content=content)


def _pdf(pages: list[str], content: bytes | None = None, rotate: int = 0) -> bytes:
    """A minimal PDF, one page per content stream, with Helvetica as F1; ``content``, a
    Flate-compressed content stream, replaces the pages' own streams."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, stream in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Rotate {rotate} "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        if content is not None:
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                % (len(content), content)
            )
        else:
            data = stream.encode()
            objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def encrypted_pdf(path: Path, source: bytes, password: str = "secret") -> None:
    reader_path = path.with_suffix(".plain.pdf")
    reader_path.write_bytes(source)
    writer = PdfWriter(clone_from=PdfReader(reader_path))
    writer.encrypt(user_password=password, algorithm="AES-128")
    with path.open("wb") as f:
        writer.write(f)
    reader_path.unlink()
