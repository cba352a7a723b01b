"""Bytes to clean text: decoding, normalization, and re-joining lines wrapped mid-sentence."""

import codecs
import re
import unicodedata


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Returns (text, encoding name). UTF-8 first, then UTF-16 when detected, then GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return data.decode(utf16), utf16
    if b"\x00" in data:
        raise DecodeError("contains NUL bytes: binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(
            f"not UTF-8, UTF-16 or GB18030 (undecodable byte at offset {exc.start})"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    # Text in UTF-16 without a BOM: ASCII-range characters (newlines, digits) leave a NUL in
    # every other byte. Chinese text alone does not, but budget text always has digits.
    sample = data[:4000]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    for encoding, nuls, other in (
        ("utf-16-le", odd_nuls, even_nuls),
        ("utf-16-be", even_nuls, odd_nuls),
    ):
        if nuls > half * 0.2 and other == 0:
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


# Zero-width and invisible formatting characters that PDF extraction and OCR leave behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


class _OneToOneNfkc(dict):
    """A str.translate table: each character to its NFKC form when that is one character.

    Characters whose NFKC form is longer (㎡ -> m2) or empty stay as they are, so the text
    keeps its length and offsets computed on it match the source line for line.
    """

    def __missing__(self, code: int) -> int:
        norm = unicodedata.normalize("NFKC", chr(code))
        value = ord(norm) if len(norm) == 1 else code
        self[code] = value
        return value


_NFKC = _OneToOneNfkc()


def nfkc_one_to_one(text: str) -> str:
    return text.translate(_NFKC)


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


# A line ending in one of these may continue on the next line.
_OPEN_END = set(",、(“‘《")
# A next line starting like this begins a new block (heading or list item), not a continuation.
_BLOCK_START = re.compile(
    r"^(第[一二三四五六七八九十百]+部分|[一二三四五六七八九十]+、|[(][一二三四五六七八九十]+[)]"
    r"|\d{1,2}[.、](?!\d)|[-#•*|])"
)


def _wrap_width(lines: list[str]) -> int:
    """The typical width of a full line of running Chinese text in this document."""
    widths = sorted(
        len(line) for line in lines if len(line) >= 10 and sum(map(is_han, line)) * 2 > len(line)
    )
    if not widths:
        return 0
    return widths[int(len(widths) * 0.75)]


def _continues(prev: str, nxt: str, min_width: float) -> bool:
    if len(prev) < min_width or not nxt or "\t" in prev or "\t" in nxt:
        return False  # table rows (tab-separated cells) stay rows
    end, start = prev[-1], nxt[0]
    if _BLOCK_START.match(nxt):
        return False
    if is_han(end) or end in _OPEN_END:
        return is_han(start) or start.isdigit() or start in "“(《"
    if end.isdigit():
        return is_han(start)
    return False


def join_wrapped_lines(text: str) -> str:
    """Re-joins lines that a PDF wrapped in the middle of a Chinese sentence.

    A line is joined to the next non-blank line when it is about as long as the document's
    full lines, ends inside a sentence (a Chinese character, a digit before a Chinese
    character, or an opening mark) and the next line does not start a heading or list item.
    Blank lines between the two halves (one per wrapped line in some extractions) go too.
    """
    lines = [line.rstrip() for line in text.split("\n")]
    width = _wrap_width([line.strip() for line in lines])
    min_width = width * 0.7 if width else float("inf")
    out: list[str] = []
    last_raw = ""  # the last non-blank source line, before any joining
    pending_blanks = 0
    for line in lines:
        stripped = line.strip()
        if not stripped:
            pending_blanks += 1
            continue
        if out and pending_blanks <= 1 and _continues(last_raw.strip(), stripped, min_width):
            out[-1] += stripped
        else:
            out.extend([""] * pending_blanks)
            out.append(line)
        pending_blanks = 0
        last_raw = line
    out.extend([""] * pending_blanks)
    return "\n".join(out)


# Justified PDF lines come out letter-spaced: "深 圳 市 交 通 运 输 局".
_LETTER_SPACED = re.compile(r"(?:[\u4e00-\u9fff] ){3,}[\u4e00-\u9fff]")


def _unspace(match: re.Match[str]) -> str:
    return match.group(0).replace(" ", "")


def join_pieces(parts: list[str]) -> str:
    """Pieces of one wrapped cell or name joined: Chinese runs on, Latin words keep a space
    ('智慧城区与数' + '字政府' -> '智慧城区与数字政府'; 'CIM' + 'platform' -> 'CIM platform')."""
    out = ""
    for part in parts:
        part = part.strip()
        if out and part and out[-1].isascii() and out[-1].isalnum() and part[0].isascii():
            out += " "
        out += part
    return out


# Some PDF fonts map common characters to their CJK Radicals Supplement forms (⻔ for 门,
# ⺠ for 民, ⻰ for 龙: Chromium's output with Noto CJK, and published PDFs made the same way).
# NFKC leaves that block alone, so the forms that stand for a whole character are mapped here.
_RADICALS = str.maketrans(
    "⺟⺠⻄⻅⻆⻉⻋⻓⻔⻘⻙⻚⻛⻜⻝⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳⻁",
    "母民西见角贝车长门青韦页风飞食马骨鬼鱼鸟卤麦黄黾齐齿龙龟虎",
)


def normalize_text(text: str) -> str:
    """Line endings, invisible characters, one-to-one NFKC (and radical forms), letter-spaced
    runs closed up.

    Lines stay as extracted: tables are parsed line by line. Narrative text is re-joined
    where it is read as prose (sections.py, with join_wrapped_lines).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.translate(_INVISIBLE)
    text = nfkc_one_to_one(text).translate(_RADICALS)
    return _LETTER_SPACED.sub(_unspace, text)


def normalize_line(line: str) -> str:
    """One line normalized, as one line (a line separator inside it becomes a space)."""
    return " ".join(normalize_text(line).split("\n"))


_SPACE_BETWEEN = re.compile(
    r"(?<=[\u4e00-\u9fff\d]) +(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff]) +(?=\d)"
)


def compact(text: str) -> str:
    """Text with the spaces between Chinese characters and digits removed, for pattern matching.

    Extraction scatters spaces through figures and names (``2024 年``, ``1,555. 39``).
    """
    text = _SPACE_BETWEEN.sub("", text)
    return re.sub(r"(?<=[\d,.]) +(?=[\d,.])", "", text)
