"""Tell Chinese from English and separate them where they share a line.

Bilingual web pages put a Chinese sentence and its English translation on one
line, in either order. :func:`split_languages` finds the single point where
the script changes from one language to the other and returns the parts, each
with its language. Short Latin runs inside Chinese (5G, APEC, VR) and the odd
Chinese quote mark inside English stay where they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK_CHAR = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")
# Punctuation that closes the text before it (stays on the left of a split).
_CLOSERS = set(".,;:!?)]}'\"”’。，；：！？）」』》%、 ")

MIN_ZH_CHARS = 2
MIN_EN_LETTERS = 6


@dataclass(frozen=True)
class Part:
    """A piece of a line in one language."""

    lang: str  # "zh" or "en"
    text: str
    start: int  # offset in the line


def detect_lang(text: str) -> str:
    """``"zh"`` if the text has Chinese characters worth the name, else ``"en"``.

    A text is Chinese when Han characters make up at least a fifth of its
    letters; a stray 《》 or one name in English prose does not make it Chinese.
    """
    n_cjk = len(_CJK_CHAR.findall(text))
    n_latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    if n_cjk == 0:
        return "en"
    # A Han character carries about as much as 3 Latin letters.
    return "zh" if n_cjk * 3 >= n_latin * 0.6 else "en"


_RUN = re.compile("([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|[A-Za-z]+")
_ASCII_LETTER = re.compile("[A-Za-z]")


def _boundaries(text: str) -> list[tuple[int, int, str]]:
    """Positions where a Han run meets a Latin run: (left_end, right_start, direction)."""
    out = []
    last_kind, last_end = None, 0
    for m in _RUN.finditer(text):
        kind = "zh" if m.group(1) else "en"
        if last_kind and kind != last_kind:
            out.append((last_end, m.start(), f"{last_kind}>{kind}"))
        last_kind, last_end = kind, m.end()
    return out


def _split_gap(text: str, left_end: int, right_start: int, direction: str) -> int:
    """Where to cut the neutral gap between two runs.

    Chinese then English: closing punctuation stays left, the rest (an English
    number such as "1. ") goes right. English then Chinese: the Chinese part
    takes what is glued to its first character ("(2017年", "--中国", "“网络").
    """
    if direction == "zh>en":
        cut = left_end
        while cut < right_start and text[cut] in _CLOSERS:
            cut += 1
        return cut
    cut = right_start
    while cut > left_end and not text[cut - 1].isspace():
        cut -= 1
    return cut


class _Counts:
    """Prefix sums of Han characters and Latin-word letters over one line.

    Every candidate cut is scored from these in constant time, so a line is
    split in time linear in its length however many script boundaries it has
    (scanning both halves again per boundary was quadratic).
    """

    def __init__(self, text: str):
        import numpy as np

        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        han = np.zeros(len(codes), dtype=np.int64)
        for lo, hi in _HAN_RANGES:
            han += (codes >= lo) & (codes <= hi)
        # Letters of Latin words: +1 where a word starts, -1 where it ends, summed.
        edges = np.zeros(len(codes) + 1, dtype=np.int64)
        for m in _LATIN_WORD.finditer(text):
            edges[m.start()] += 1
            edges[m.end()] -= 1
        latin = np.cumsum(edges[:-1])
        self.han = np.concatenate(([0], np.cumsum(han))).tolist()
        self.latin = np.concatenate(([0], np.cumsum(latin))).tolist()

    def zh(self, start: int, end: int) -> int:
        return self.han[end] - self.han[start]

    def en(self, start: int, end: int) -> int:
        return self.latin[end] - self.latin[start]

    def purity(self, start: int, end: int, lang: str) -> float:
        n_cjk, n_latin = self.zh(start, end), self.en(start, end)
        total = n_cjk * 3 + n_latin
        if total == 0:
            return 0.0
        return (n_cjk * 3 if lang == "zh" else n_latin) / total


def split_languages(text: str) -> list[Part]:
    """Split a line into its Chinese and English parts (one split at most).

    Returns one part when the line is in one language or no split is clean.
    Linear in the length of the line.
    """
    if not (_ASCII_LETTER.search(text) and _CJK_CHAR.search(text)):
        stripped = text.strip()  # one script: nothing to split
        return [Part(detect_lang(stripped), stripped, 0)] if stripped else []
    counts = _Counts(text)
    n = len(text)
    best: tuple[float, int, str] | None = None
    for left_end, right_start, direction in _boundaries(text):
        cut = _split_gap(text, left_end, right_start, direction)
        left_lang, right_lang = direction.split(">")
        zh_span, en_span = ((0, cut), (cut, n)) if left_lang == "zh" else ((cut, n), (0, cut))
        if counts.zh(*zh_span) < MIN_ZH_CHARS or counts.en(*en_span) < MIN_EN_LETTERS:
            continue
        score = min(counts.purity(0, cut, left_lang), counts.purity(cut, n, right_lang))
        if score >= 0.9 and (best is None or score > best[0]):
            best = (score, cut, direction)
    if best is None:
        stripped = text.strip()
        return [Part(detect_lang(stripped), stripped, 0)] if stripped else []
    _, cut, direction = best
    left_lang, right_lang = direction.split(">")
    parts = [Part(left_lang, text[:cut].strip(), 0), Part(right_lang, text[cut:].strip(), cut)]
    return [p for p in parts if p.text]
