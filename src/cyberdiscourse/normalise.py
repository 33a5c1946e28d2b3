"""Small ``str -> str`` normalisers, chained into one pipeline.

Each step does one thing and is tested on its own; :func:`normalise_line`
applies them in a fixed order. Order matters: NFKC first (it turns full-width
letters, digits and the ideographic space into ASCII), then invisible
characters, then whitespace, then Traditional -> Simplified.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

# Zero-width and other invisible format characters that break words apart
# (U+200B..U+200F, U+2060..U+2064, BOM, soft hyphen, Mongolian vowel separator).
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e]")
# C0/C1 control characters except tab and newline; NUL arrives from decoded binaries.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_NOT_LETTER_OR_DIGIT = re.compile(r"[\W_]+")
HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # what count_cjk counts
_CJK = re.compile(HAN_CLASS)
_CJK_RUN = re.compile(HAN_CLASS + "+")
# A law's or regulation's article line, "第十三条 …": the line rules and the inference of
# a carried document both look for it.
ARTICLE_LINE = re.compile(r"^[\s*#]*第[一二三四五六七八九十百千零〇两\d]+条")


def nfkc(text: str) -> str:
    """Unicode NFKC: full-width letters, digits and punctuation become their ASCII forms."""
    return unicodedata.normalize("NFKC", text)


def remove_invisible(text: str) -> str:
    """Drop zero-width and other invisible characters (they split 网络\u200b主权 in two)."""
    return _INVISIBLE.sub("", text)


def remove_control(text: str) -> str:
    """Drop control characters, NUL included."""
    return _CONTROL.sub("", text)


def collapse_whitespace(text: str) -> str:
    """Fold runs of spaces, tabs and exotic spaces to one space and strip the ends."""
    return _SPACES.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _t2s_converter():
    import opencc

    return opencc.OpenCC("t2s")


def traditional_to_simplified(text: str) -> str:
    """Convert a Traditional Chinese line to Simplified with OpenCC (``t2s``); a line that
    is not Traditional is untouched.

    OpenCC over simplified text is not a no-op: it reads 坏 as the traditional form of 坯
    and turns 破坏土地 into 破坯土地. So a line is converted only when it holds a character
    that only Traditional text uses: one outside GB 2312 (the simplified character set)
    that t2s changes (網, 壞, 權). Simplified text, GB 2312 through and through, is never
    touched, and costs no conversion.
    """
    if not _CJK.search(text) or not is_traditional(text):
        return text
    return _t2s_converter().convert(text)


def is_traditional(text: str) -> bool:
    """Whether ``text`` holds a character only Traditional Chinese uses."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return any(_traditional_char(ch) for ch in text if ord(ch) > 0x2E7F)
    return False


@lru_cache(maxsize=65536)
def _traditional_char(char: str) -> bool:
    return not _gb2312(char) and _t2s_converter().convert(char) != char


Normaliser = Callable[[str], str]

DEFAULT_PIPELINE: tuple[Normaliser, ...] = (
    nfkc,
    remove_invisible,
    remove_control,
    collapse_whitespace,
    traditional_to_simplified,
)


def chain(steps: Iterable[Normaliser]) -> Normaliser:
    """Compose normalisers left to right into one ``str -> str`` function."""
    steps = tuple(steps)

    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run


# Cached: a site's menu and footer lines recur on every page of a crawl.
normalise_line: Normaliser = lru_cache(maxsize=1 << 16)(chain(DEFAULT_PIPELINE))
normalise_line.__doc__ = "Apply the default pipeline: NFKC, invisibles, controls, spaces, t2s."


def _gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def _variant_table() -> dict[int, str]:
    """Orthographic variants of simplified text, each folded to one character.

    From yitizi's variant sets (Project NK2028's data), kept only where both
    characters are in GB 2312 (text here is already converted to simplified, so
    a traditional form never reaches the key), then closed under union: 它 and 他
    (其它/其他), 帐 and 账 fall together. The representative is the
    lowest code point of each group.
    """
    import yitizi

    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for char, variants in sorted(yitizi.yitizi_data.items()):
        if not _gb2312(char):
            continue
        for other in sorted(variants):
            if _gb2312(other):
                a, b = root(char), root(other)
                parent[max(a, b)] = min(a, b)
    return {ord(c): root(c) for c in parent if root(c) != c}


def fold_variants(text: str) -> str:
    """Fold orthographic variant characters to one form (其它 -> 其他, 账 -> 帐)."""
    return text.translate(_variant_table())


def plain_key(text: str) -> str:
    """:func:`match_key` without the variant folding: NFKC, case-folded, letters and digits."""
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).casefold())


@lru_cache(maxsize=1 << 16)  # the line rules, the merge and the dedupe key one line each
def match_key(text: str) -> str:
    """A key for matching copies of one paragraph.

    Tolerates punctuation, spacing, case, full/half-width differences and
    orthographic variant characters: NFKC, case-folded, everything that is not a
    letter or digit removed, variants folded (:func:`fold_variants`).
    """
    return fold_variants(plain_key(text))


def variant_differences(text: str, other: str) -> list[str]:
    """The variant characters by which two texts with one match key differ: ``["它/他"]``.

    ``text``'s key may also be contained in ``other``'s (a truncated copy).
    """
    a, b = plain_key(text), plain_key(other)
    at = fold_variants(b).find(fold_variants(a))
    if at < 0:
        return []
    pairs = {(x, y) for x, y in zip(a, b[at : at + len(a)]) if x != y}
    return [f"{x}/{y}" for x, y in sorted(pairs)]


def count_cjk(text: str) -> int:
    """Number of Chinese (Han) characters in ``text``."""
    return sum(map(len, _CJK_RUN.findall(text)))  # runs, not characters: a third the time


_SPACE = re.compile(r"\s")


def text_size(text: str, lang: str) -> int:
    """The package's one measure of a text's length for per-10,000-character rates:
    Han characters in Chinese text (punctuation, digits and Latin do not count), and
    non-space characters in English text."""
    return count_cjk(text) if lang == "zh" else len(_SPACE.sub("", text))
