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


def _purity(text: str, lang: str) -> float:
    n_cjk = len(_CJK_CHAR.findall(text))
    n_latin = sum(len(w) for w in _LATIN_WORD.findall(text))
    total = n_cjk * 3 + n_latin
    if total == 0:
        return 0.0
    return (n_cjk * 3 if lang == "zh" else n_latin) / total


def split_languages(text: str) -> list[Part]:
    """Split a line into its Chinese and English parts (one split at most).

    Returns one part when the line is in one language or no split is clean.
    """
    if not (_ASCII_LETTER.search(text) and _CJK_CHAR.search(text)):
        stripped = text.strip()  # one script: nothing to split
        return [Part(detect_lang(stripped), stripped, 0)] if stripped else []
    best: tuple[float, int, str] | None = None
    for left_end, right_start, direction in _boundaries(text):
        cut = _split_gap(text, left_end, right_start, direction)
        left, right = text[:cut], text[cut:]
        left_lang, right_lang = direction.split(">")
        zh, en = (left, right) if left_lang == "zh" else (right, left)
        if len(_CJK_CHAR.findall(zh)) < MIN_ZH_CHARS:
            continue
        if sum(len(w) for w in _LATIN_WORD.findall(en)) < MIN_EN_LETTERS:
            continue
        score = min(_purity(left, left_lang), _purity(right, right_lang))
        if score >= 0.9 and (best is None or score > best[0]):
            best = (score, cut, direction)
    if best is None:
        stripped = text.strip()
        return [Part(detect_lang(stripped), stripped, 0)] if stripped else []
    _, cut, direction = best
    left_lang, right_lang = direction.split(">")
    parts = [Part(left_lang, text[:cut].strip(), 0), Part(right_lang, text[cut:].strip(), cut)]
    return [p for p in parts if p.text]
