"""Chinese segmentation with jieba and the project's domain dictionary.

The same functions run at index time and at query time, so a query is cut exactly as the text
it should find. HMM is off: HMM guesses new words from context, so the same phrase could be cut
one way in a document and another way in a three-word query.
"""

import logging
import re
import threading
from pathlib import Path

import jieba

USER_DICT = Path(__file__).with_name("userdict.txt")
_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_SKIP = re.compile(r"^[\s\W_]+$")


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer, loaded once (about a second) on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                with USER_DICT.open("rb") as f:  # jieba leaves a path's file open
                    tk.load_userdict(f)
                _tokenizer = tk
    return _tokenizer


def _keep(tokens: list[str]) -> list[str]:
    return [t.lower() for t in tokens if not _SKIP.match(t)]


def tokens(text: str) -> list[str]:
    """Precise-mode words, lowercased, without whitespace and punctuation."""
    return _keep(tokenizer().lcut(text, HMM=False))


def search_tokens(text: str) -> list[str]:
    """Search-mode words: long words also yield the dictionary words inside them (recall)."""
    return _keep(tokenizer().lcut_for_search(text, HMM=False))


def joined(words: list[str]) -> str:
    """Tokens as one string for a field analyzed by the ``whitespace`` analyzer."""
    return " ".join(words)
