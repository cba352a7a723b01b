"""Small PDFs made by the tests themselves (no documents are copied from ../shared)."""

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


def _pdf(pages: list[str]) -> bytes:
    """A minimal PDF, one page per content stream, with Helvetica as F1."""
    objects: list[bytes] = []
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, stream in enumerate(pages):
        content = stream.encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
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
