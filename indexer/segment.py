"""Chinese segmentation with jieba and the project's domain dictionary.

The same functions run at index time and at query time, so a query is cut exactly as the text
it should find. HMM is off: HMM guesses new words from context, so the same phrase could be cut
one way in a document and another way in a three-word query.

jieba is the reference. rjieba (the jieba-rs binding: the same algorithm and dictionary format)
cuts about twenty times faster; it is used when it is installed and cuts a check text exactly as
jieba does (tests/test_segment.py proves the same on the whole corpus and the real PDFs).
jieba's cuts of the check text are written down here (CHECK_CUTS; a test keeps them jieba's), so
rjieba is checked without loading jieba, which takes about a second and 100 MB that the API and
the indexer's workers then save. ``BUDGET_SEGMENTER=jieba`` forces the reference.
"""

import logging
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jieba

USER_DICT = Path(__file__).with_name("userdict.txt")
_lock = threading.RLock()  # cutters() loads the tokenizer under it
_tokenizer: "jieba.Tokenizer | None" = None
_cutters: tuple[Callable[[str], list[str]], Callable[[str], list[str]]] | None = None
_backend = "jieba"
_SKIP = re.compile(r"^[\s\W_]+$")
# Cut by both segmenters before rjieba is trusted: domain words, figures, Latin, punctuation.
CHECK_TEXT = (
    "2024年深圳市福田区民意速办和智慧城市建设中心部门预算收入9,769.67万元,较2023年增加54.52万元。"
    "政务热线、12345热线和i深圳平台;一网通办、预算准备金及“三公”经费≥90%。"
)
# jieba's (precise, search-mode) cuts of CHECK_TEXT, tokens separated by spaces.
CHECK_CUTS = (
    "2024 年 深圳市 福田区 民意速办 和 智慧城市 建设 中心 部门预算 收入 9 , 769 . 67 万元 , 较 "
    "2023 年 增加 54 . 52 万元 。 政务热线 、 12345 热线 和 i深圳 平台 ; 一网通办 、 预算准备金 "
    "及 “ 三公 ” 经费 ≥ 90 % 。",
    "2024 年 深圳 深圳市 福田 福田区 民意 速办 民意速办 和 智慧 城市 智慧城市 建设 中心 部门 预算 "
    "部门预算 收入 9 , 769 . 67 万元 , 较 2023 年 增加 54 . 52 万元 。 政务 热线 政务热线 、 "
    "12345 热线 和 深圳 i深圳 平台 ; 网通 一网通 一网通办 、 预算 准备 准备金 预算准备金 及 “ "
    "三公 ” 经费 ≥ 90 % 。",
)


def tokenizer() -> "jieba.Tokenizer":
    """The shared jieba tokenizer, loaded once (about a second) on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # here: where rjieba cuts, jieba is never loaded

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                with USER_DICT.open("rb") as f:  # jieba leaves a path's file open
                    tk.load_userdict(f)
                _tokenizer = tk
    return _tokenizer


def jieba_cutters() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    tk = tokenizer()
    return (lambda t: tk.lcut(t, HMM=False)), (lambda t: tk.lcut_for_search(t, HMM=False))


def rjieba_cutters() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]] | None:
    """rjieba with the domain dictionary, or None where it is not installed."""
    try:
        import rjieba
    except ImportError:
        return None
    for line in USER_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            freq = int(parts[1]) if len(parts) > 1 else None
            rjieba.add_word(parts[0], freq, parts[2] if len(parts) > 2 else None)
    return (lambda t: rjieba.cut(t, hmm=False)), (lambda t: rjieba.cut_for_search(t, hmm=False))


def cutters() -> tuple[Callable[[str], list[str]], Callable[[str], list[str]]]:
    """The (precise, search) cut functions: rjieba where it cuts the check text as jieba does,
    else jieba."""
    global _cutters, _backend
    if _cutters is None:
        with _lock:
            if _cutters is None:
                fast = None if os.environ.get("BUDGET_SEGMENTER") == "jieba" else rjieba_cutters()
                agrees = fast is not None and all(
                    " ".join(cut(CHECK_TEXT)) == expected
                    for cut, expected in zip(fast, CHECK_CUTS, strict=True)
                )
                _backend = "rjieba" if agrees else "jieba"
                _cutters = fast if agrees and fast is not None else jieba_cutters()
    return _cutters


def backend() -> str:
    """The segmenter in use: 'rjieba' or 'jieba'."""
    cutters()
    return _backend


def _keep(tokens: list[str]) -> list[str]:
    # isalnum() first: most tokens are words, and it is what the pattern's \w means
    return [t.lower() for t in tokens if t.isalnum() or not _SKIP.match(t)]


def tokens(text: str) -> list[str]:
    """Precise-mode words, lowercased, without whitespace and punctuation."""
    return _keep(cutters()[0](text))


def search_tokens(text: str) -> list[str]:
    """Search-mode words: long words also yield the dictionary words inside them (recall)."""
    return _keep(cutters()[1](text))


def joined(words: list[str]) -> str:
    """Tokens as one string for a field analyzed by the ``whitespace`` analyzer."""
    return " ".join(words)
