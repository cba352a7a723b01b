"""A PDF page read by PDFium (pypdfium2's C core) into the objects pdfplumber reads from
pdfminer's layout analysis: characters with their boxes and fonts, and drawn lines, rectangles
and curves. pdfplumber's table finder and text assembly then run on them unchanged, without
pdfminer, which is where nearly all of pdfplumber's time goes.

The objects follow pdfminer's conventions, so that both readers make the same records:
- a character's box is its advance width by its font size, from the font's descent up (PDFium's
  "loose" box); PDFium's own inserted spaces and line breaks are left out;
- a path is split into subpaths at each move; a subpath of one segment is a line, a closed
  axis-aligned four-sided one a rectangle, anything else a curve through its segments' end points;
- coordinates are pdfplumber's: from the top-left of the page as displayed (its /Rotate
  applied), with the MediaBox as the page's box.

Two differences remain by design: PDFium keeps one space of a run of spaces (spaces only separate
words, so no text changes), and it computes in single precision, so coordinates differ from
pdfminer's in the fifth significant digit.
"""

import ctypes
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, cast

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfminer.fontmetrics import FONT_METRICS
from pdfplumber.page import Page, _invert_box, _normalize_box

Matrix = tuple[float, float, float, float, float, float]

_SEGMENT_MOVE = raw.FPDF_SEGMENT_MOVETO
_SEGMENT_BEZIER = raw.FPDF_SEGMENT_BEZIERTO
_FORM = raw.FPDF_PAGEOBJ_FORM
_PATH = raw.FPDF_PAGEOBJ_PATH
FORM_DEPTH = 16  # forms nested deeper than this are not read (a loop in a broken file)


def _fast(function, restype, *argtypes):
    """PDFium's ``function`` taking and returning plain integers (handles as addresses): a call
    per character is the reader's cost, and pypdfium2's typed handles make each call slower."""
    address = ctypes.cast(function, ctypes.c_void_p).value
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


_int, _pointer = ctypes.c_int, ctypes.c_void_p
_count_chars = _fast(raw.FPDFText_CountChars, _int, _pointer)
_unicode = _fast(raw.FPDFText_GetUnicode, ctypes.c_uint, _pointer, _int)
_is_generated = _fast(raw.FPDFText_IsGenerated, _int, _pointer, _int)
_text_object = _fast(raw.FPDFText_GetTextObject, _pointer, _pointer, _int)
_loose_box = _fast(raw.FPDFText_GetLooseCharBox, _int, _pointer, _int, _pointer)
_char_origin = _fast(raw.FPDFText_GetCharOrigin, _int, _pointer, _int, _pointer, _pointer)
_char_matrix = _fast(raw.FPDFText_GetMatrix, _int, _pointer, _int, _pointer)
_font_of = _fast(raw.FPDFTextObj_GetFont, _pointer, _pointer)
_font_size = _fast(raw.FPDFTextObj_GetFontSize, _int, _pointer, _pointer)
_page_object = _fast(raw.FPDFPage_GetObject, _pointer, _pointer, _int)
_object_type = _fast(raw.FPDFPageObj_GetType, _int, _pointer)
_object_matrix = _fast(raw.FPDFPageObj_GetMatrix, _int, _pointer, _pointer)
_form_count = _fast(raw.FPDFFormObj_CountObjects, _int, _pointer)
_form_object = _fast(raw.FPDFFormObj_GetObject, _pointer, _pointer, ctypes.c_ulong)
_segment_count = _fast(raw.FPDFPath_CountSegments, _int, _pointer)
_segment = _fast(raw.FPDFPath_GetPathSegment, _pointer, _pointer, _int)
_segment_type = _fast(raw.FPDFPathSegment_GetType, _int, _pointer)
_segment_point = _fast(raw.FPDFPathSegment_GetPoint, _int, _pointer, _pointer, _pointer)
_segment_closes = _fast(raw.FPDFPathSegment_GetClose, _int, _pointer)
# PDFium marks a hyphen it takes for a soft hyphen at a line's end as U+0002; in the file, it is
# a hyphen.
_SOFT_HYPHEN = 2
_MAYBE_GENERATED = {ord(" "), ord("\r"), ord("\n"), _SOFT_HYPHEN}


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """The matrix applying ``m`` and then ``n`` (PDF's row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


def rotation_matrix(rotation: int, mediabox: tuple[float, float, float, float]) -> Matrix:
    """From PDF user space to the displayed page, origin bottom-left (pdfminer's page matrix)."""
    x0, y0, x1, y1 = mediabox
    if rotation == 90:
        return (0, -1, 1, 0, -y0, x1)
    if rotation == 180:
        return (-1, 0, 0, -1, x1, y1)
    if rotation == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


class PdfiumPage(Page):
    """A pdfplumber page whose objects come from PDFium. Reads the page at construction; the
    PDFium page can be closed afterwards."""

    def __init__(self, page: pdfium.PdfPage, page_number: int):
        # pdfplumber's Page.__init__ reads pdfminer's page object; set what it would set.
        # (ignores: pdfplumber types pdf and page_obj as always set; a PDFium page has neither)
        self.pdf = None  # type: ignore[assignment]
        self.root_page = self
        self.page_obj = None  # type: ignore[assignment]
        self.page_number = page_number
        self.initial_doctop = 0
        self.rotation = page.get_rotation() % 360
        raw_box = page.get_mediabox()
        normalized = _normalize_box(raw_box, self.rotation)
        self.mediabox = _invert_box(normalized, normalized[3] - normalized[1])
        self.cropbox = self.mediabox
        self.bbox = self.mediabox
        self.get_textmap = lru_cache()(self._get_textmap)
        # PDF user space to pdfplumber's: the displayed page, y measured down from the top
        (x0, x1), (y0, y1) = sorted(raw_box[::2]), sorted(raw_box[1::2])
        turned = rotation_matrix(self.rotation, (x0, y0, x1, y1))
        height = normalized[3] - normalized[1]
        mb_x0, mb_top = self.mediabox[:2]
        self._flip = height + mb_top  # pdfminer's y of pdfplumber's top 0
        self._to_page = multiply(turned, (1, 0, 0, -1, mb_x0, self._flip))
        self._shapes: dict[tuple[int, float, float, float, float, float], Run] = {}
        self._objects = {"char": self._chars(page), **self._paths(page)}

    def _char_box(self, left: float, bottom: float, right: float, top: float) -> dict:
        """A character's position on a turned page, from its box in PDF space."""
        xs, ys = zip(
            *(apply(self._to_page, x, y) for x in (left, right) for y in (bottom, top)),
            strict=True,
        )
        return _char_position(min(xs), min(ys), max(xs), max(ys))

    def _attrs(self, x0: float, top: float, x1: float, bottom: float) -> dict:
        """A drawn object's position attributes: a character's, and pdfminer's y0/y1 and page."""
        return {
            **_char_position(x0, top, x1, bottom),
            "y0": self._flip - bottom,
            "y1": self._flip - top,
            "page_number": self.page_number,
        }

    def _chars(self, page: pdfium.PdfPage) -> list[dict]:
        textpage = page.get_textpage()
        try:
            return self._read_chars(textpage.raw)
        finally:
            textpage.close()

    def _read_chars(self, handle) -> list[dict]:
        # The loop runs for every character of every page: names are bound locally, a run's
        # attributes unpacked, and the usual page's position computed inline.
        loose = raw.FS_RECTF()
        x, y = ctypes.c_double(), ctypes.c_double()
        loose_ref, x_ref, y_ref = ctypes.byref(loose), ctypes.byref(x), ctypes.byref(y)
        address = ctypes.cast(handle, ctypes.c_void_p).value
        unicode, is_generated, text_object = _unicode, _is_generated, _text_object
        loose_box, char_origin = _loose_box, _char_origin
        a, b, c, d, e, f = self._to_page
        plain = b == c == 0 and a == 1 and d == -1  # not turned: the usual page
        runs: dict[int, Run] = {}  # by text object
        chars: list[dict] = []
        append = chars.append
        for i in range(_count_chars(address)):
            code = unicode(address, i)
            if code in _MAYBE_GENERATED and is_generated(address, i):
                continue  # a space or line break PDFium inserted, not in the file
            key = text_object(address, i)
            run = runs.get(key)
            if run is None:
                run = runs[key] = self._run(address, i, key)
            font, upright, level, size, descent = run
            loose_box(address, i, loose_ref)
            if level:
                # pdfminer's height: the font size from the font's descent up (PDFium's loose
                # box spans the font's ascent to its descent instead)
                char_origin(address, i, x_ref, y_ref)
                low = y.value + descent
                high = low + size
            else:
                low, high = loose.bottom, loose.top
            text = "-" if code == _SOFT_HYPHEN and raw.FPDFText_IsHyphen(handle, i) else chr(code)
            if plain:  # _char_position's keys, written out: a call per character costs
                x0, x1, top, bottom = loose.left + e, loose.right + e, f - high, f - low
                append(
                    {
                        "x0": x0,
                        "x1": x1,
                        "top": top,
                        "bottom": bottom,
                        "doctop": top,
                        "width": x1 - x0,
                        "height": bottom - top,
                        "text": text,
                        "upright": upright,
                        "fontname": font,
                    }
                )
            else:
                char = self._char_box(loose.left, low, loose.right, high)
                char.update(text=text, upright=upright, fontname=font)
                append(char)
        return chars

    def _run(self, textpage: int | None, index: int, text_object: int) -> "Run":
        """What the characters of one text object share (the object of character ``index``).
        Many text objects share a font, size and matrix (often one per character or word), so
        runs are kept by those."""
        matrix, size = raw.FS_MATRIX(), ctypes.c_float(0.0)
        _char_matrix(textpage, index, ctypes.byref(matrix))
        _font_size(text_object, ctypes.byref(size))
        font = _font_of(text_object) or 0
        shape = (font, size.value, matrix.a, matrix.b, matrix.c, matrix.d)
        run = self._shapes.get(shape)
        if run is None:
            run = self._shapes[shape] = self._shaped_run(*shape)
        return run

    def _shaped_run(self, font_address: int, size: float, *m: float) -> "Run":
        font = _measured(ctypes.cast(font_address, raw.FPDF_FONT) if font_address else None)
        m0, m1, m2, m3 = m
        a, b, c, d, _, _ = multiply((m0, m1, m2, m3, 0.0, 0.0), (*self._to_page[:4], 0.0, 0.0))
        return Run(
            font=font.name,
            # pdfminer's test, in pdfplumber's coordinates (y flipped)
            upright=a * d < 0 and b * c >= 0,
            level=m1 == m2 == 0 and size != 0,
            size=m3 * size,
            descent=m3 * font.descent * size,
        )

    def _paths(self, page: pdfium.PdfPage) -> dict[str, list[dict]]:
        objects: dict[str, list[dict]] = {"line": [], "rect": [], "curve": []}
        handle = ctypes.cast(page.raw, ctypes.c_void_p).value
        for i in range(raw.FPDFPage_CountObjects(page.raw)):
            self._object(_page_object(handle, i), self._to_page, objects, 0)
        return objects

    def _object(self, obj: int, outer: Matrix, objects: dict[str, list[dict]], depth: int) -> None:
        """The paths of a page object (its address), a form's recursively."""
        kind = _object_type(obj)
        if kind not in (_PATH, _FORM) or depth > FORM_DEPTH:
            return
        m = raw.FS_MATRIX()
        _object_matrix(obj, ctypes.byref(m))
        inner = multiply((m.a, m.b, m.c, m.d, m.e, m.f), outer)
        if kind == _FORM:
            for i in range(_form_count(obj)):
                self._object(_form_object(obj, i), inner, objects, depth + 1)
            return
        for points in _subpaths(obj):
            kind_, attrs = self._shape([apply(inner, x, y) for x, y in points])
            if kind_:
                attrs["object_type"] = kind_
                objects[kind_].append(attrs)

    def _shape(self, pts: list[tuple[float, float]]) -> tuple[str | None, dict]:
        """pdfminer's classification of a subpath by its points (a close adds the start)."""
        if len(pts) < 2:
            return None, {}
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        attrs = self._attrs(min(xs), min(ys), max(xs), max(ys))
        if len(pts) == 2 or (len(pts) == 3 and pts[2] == pts[0]):  # pdfminer's "ml" and "mlh"
            return "line", attrs
        if len(pts) == 5 and pts[0] == pts[4]:
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
            if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
                y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
            ):
                return "rect", attrs
        attrs["pts"] = pts
        return "curve", attrs


def _char_position(x0: float, top: float, x1: float, bottom: float) -> dict:
    """A character's position attributes: those pdfplumber's text assembly reads, not all of
    pdfminer's (a page can hold 100,000 characters, and a dict of ten keys is half the size of
    thirteen)."""
    return {
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _subpaths(obj: int) -> list[list[tuple[float, float]]]:
    """A path object's subpaths as their points in the object's space, pdfminer's way: a
    segment's end point only, and a close adds the subpath's start (a redundant last point
    before the close is dropped, as pdfminer drops it)."""
    subpaths: list[list[tuple[float, float]]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    x_ref, y_ref = ctypes.byref(x), ctypes.byref(y)
    controls = 0  # of the current Bézier curve's points so far (two controls, then its end)
    for i in range(_segment_count(obj)):
        segment = _segment(obj, i)
        kind = _segment_type(segment)
        if kind == _SEGMENT_BEZIER and controls < 2:
            controls += 1
            continue
        controls = 0
        _segment_point(segment, x_ref, y_ref)
        point = (x.value, y.value)
        if kind == _SEGMENT_MOVE or not subpaths:
            subpaths.append([point])
            continue
        current = subpaths[-1]
        current.append(point)
        if _segment_closes(segment):
            # a close ends at the start; drawn back to the start already, pdfminer drops the
            # redundant point
            if not (len(current) > 3 and current[-1] == current[0]):
                current.append(current[0])
            subpaths.append([current[0]])  # what follows a close starts from the start
    return [points for points in subpaths if len(points) > 1]


@dataclass(frozen=True)
class Font:
    name: str
    descent: float  # below the baseline, per unit of size (negative)


class Run(NamedTuple):
    """What the characters of one text object share, in PDF space (a tuple: unpacked for each
    character)."""

    font: str
    upright: bool
    level: bool  # not turned or skewed in PDF space: its box is measured pdfminer's way
    size: float
    descent: float


def _measured(font) -> Font:
    """A font as pdfminer measures it: the descriptor's descent, or the standard metrics of
    the 14 standard fonts when they are not embedded."""
    name, descent = "", ctypes.c_float(0.0)
    if font:
        length = raw.FPDFFont_GetBaseFontName(font, None, 0)
        if length:
            buffer = ctypes.create_string_buffer(length)
            raw.FPDFFont_GetBaseFontName(font, buffer, length)
            name = buffer.value.decode("utf-8", "replace")
        raw.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), ctypes.byref(descent))
    per_unit = descent.value / 1000
    if name in FONT_METRICS and font and not raw.FPDFFont_GetIsEmbedded(font):
        # a number: pdfminer's table types its descriptors' values as object
        per_unit = cast(float, FONT_METRICS[name][0].get("Descent", 0)) / 1000
    return Font(name=name, descent=-abs(per_unit))
