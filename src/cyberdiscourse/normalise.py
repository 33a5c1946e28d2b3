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
_CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


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
    """Convert Traditional Chinese to Simplified with OpenCC (``t2s``); other text is untouched."""
    if not _CJK.search(text):
        return text
    return _t2s_converter().convert(text)


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


normalise_line: Normaliser = chain(DEFAULT_PIPELINE)
normalise_line.__doc__ = "Apply the default pipeline: NFKC, invisibles, controls, spaces, t2s."


def match_key(text: str) -> str:
    """A key for matching copies of one paragraph.

    Tolerates punctuation, spacing, case and full/half-width differences:
    NFKC, case-folded, then everything that is not a letter or digit removed.
    """
    return _NOT_LETTER_OR_DIGIT.sub("", unicodedata.normalize("NFKC", text).casefold())


def count_cjk(text: str) -> int:
    """Number of Chinese (Han) characters in ``text``."""
    return len(_CJK.findall(text))


HAN_CLASS = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # what count_cjk counts
_SPACE = re.compile(r"\s")


def text_size(text: str, lang: str) -> int:
    """The package's one measure of a text's length for per-10,000-character rates:
    Han characters in Chinese text (punctuation, digits and Latin do not count), and
    non-space characters in English text."""
    return count_cjk(text) if lang == "zh" else len(_SPACE.sub("", text))
