"""Chinese and English paragraphs of one copy paired as translations.

A pair is two parts of one line, or a Chinese paragraph followed by an English
one whose length is plausible for a translation (``ALIGN_RATIO`` English
characters per Chinese character).
"""

from __future__ import annotations

from .dedupe import Fragment
from .normalise import count_cjk

ALIGN_RATIO = (1.2, 6.0)  # English chars per Chinese char for an adjacent zh/en pair


def align_pairs(fragments: list[Fragment]) -> list[tuple[Fragment, Fragment, str]]:
    """zh/en pairs within one copy: parts of one line, or a zh paragraph then an en one.

    An adjacent pair is accepted only when neither paragraph shares its line with
    the other language and the lengths are plausible for a translation.
    """
    langs_on_line: dict[tuple[str, int], set[str]] = {}
    for f in fragments:
        langs_on_line.setdefault(f.same_line, set()).add(f.lang)
    pairs = []
    used: set[int] = set()
    for a, b in zip(fragments, fragments[1:]):
        if {a.lang, b.lang} != {"zh", "en"} or id(a) in used or id(b) in used:
            continue
        zh, en = (a, b) if a.lang == "zh" else (b, a)
        if a.same_line == b.same_line:
            method = "same_line"
        elif (
            a.lang == "zh"
            and len(langs_on_line[a.same_line]) == len(langs_on_line[b.same_line]) == 1
        ):
            ratio = len(en.text) / max(1, count_cjk(zh.text))
            if not ALIGN_RATIO[0] <= ratio <= ALIGN_RATIO[1]:
                continue
            method = "adjacent"
        else:
            continue
        used.update((id(zh), id(en)))
        pairs.append((zh, en, method))
    return pairs
