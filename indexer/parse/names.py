"""Project names in one comparable form, for merging the places one document names a project
(项目支出 list, 年度主要任务, 项目支出总表) and, later, for linking a project across years.

The rule (DOMAIN.md, "Linking a project across years"): spaces out, brackets and widths unified,
year tags such as (2024) dropped, a trailing 项目 / 经费 / 工作 / 费 dropped.
"""

import re

from indexer.textnorm import nfkc_one_to_one

_YEAR_TAG = re.compile(r"[(\[]\s*20\d\d\s*(?:年度?)?[)\]]|20\d\d年度?")
_SUFFIX = re.compile(r"(?:项目|经费|工作|费用|费)+$")
_BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})


def normalize_name(name: str) -> str:
    text = nfkc_one_to_one(name).translate(_BRACKETS)
    text = re.sub(r"\s+", "", text)
    text = _YEAR_TAG.sub("", text)
    text = text.strip("“”\"'《》")
    stripped = _SUFFIX.sub("", text)
    return stripped or text


def has_letters(name: str) -> bool:
    """A name has a letter or a character in it; figures alone (a page number, a stray amount)
    name nothing (a code with letters does: GZIT2022-SM-W…)."""
    return bool(re.search(r"[^\W\d_]", name))


def clean_name(name: str) -> str:
    """A name as displayed: spaces between Chinese characters (wrapping, OCR) removed."""
    name = re.sub(r"(?<=[\u4e00-\u9fff()\d]) +(?=[\u4e00-\u9fff()\d])", "", name.strip())
    return name.strip(" ,，;；:：、.。")
