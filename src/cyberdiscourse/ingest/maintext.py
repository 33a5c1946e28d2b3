"""Which visible lines of a page are its main text: extractors as evidence, combined.

Two well-kept extractors read the page independently: trafilatura (general web
pages, strong on article markup and comments) and GNE (built for Chinese news
and government pages: text density and punctuation density per node). Each
returns its main text; that text is aligned back onto the page's visible lines
in order, so every line carries one vote per extractor.

Why combined this way: on the development pages each extractor alone fails on
pages the other gets right, in two different ways.

- *Wrong block*: one extractor returns a block that is not the article (a
  related-links box, a comment area, the page's first screen), so little of
  the other's running text is in it, or what they share is a small part of
  the other's (a side box both kept: under ``LOPSIDED`` of it, measured in
  running text). Then the output whose lines read as prose (long,
  sentence-final punctuation) wins, and the other abstains for this page.
- *Right block, extra furniture*: both find the article, but one also keeps a
  comment disclaimer, a "related reading" line or a QR-code prompt. Where they
  agree on the block, a line is main text when both vote for it; a line only
  one kept is main text when it lies between lines both kept and reads as text,
  which restores the paragraphs one of them skips (a caption-like short line,
  a quotation) without taking in the furniture above and below the article.

A page without running text (a portal, a list of links) makes both fall back
to the whole page; there, lines that are mostly link text are left out. A
crawler's Markdown has no markup to read, so :func:`main_block` keeps its
block of running text instead. The project's own line rules (footers, share
widgets, disclaimers) run on the result, as they do for text captures. A line
left out carries the reason ``not_main_text`` and its evidence
(``trafilatura: no; gne: no``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from ..normalise import count_cjk, match_key
from .limits import count_elements

EXTRACTORS = ("trafilatura", "gne")
MAX_PLACES = 4  # occurrences of one line considered when aligning
LONG_KEY = 8  # letters and digits: a line this long is matched anywhere after the last
LOPSIDED = 0.3  # one output under this share of the other's: they do not agree on the article
AGREEMENT = 0.5  # share of the smaller output's running text both must hold to agree
TEXT_LINE_HAN = 8  # a line one extractor kept inside the agreed block: text from this size
STRAY_GAP = 3  # lines kept this far from the article's running text are a widget, not text
LINK_LIST = 3  # this many lines in a row that are all link text: a list of other articles
_SENTENCE = re.compile(r"[。！？!?；;]|\.\s|\.$")


@dataclass(frozen=True)
class LineVote:
    """The evidence for one visible line."""

    votes: tuple[bool, ...]  # one per extractor, in EXTRACTORS order
    main: bool
    evidence: str
    active: str = ""  # the extractors that decided this page, e.g. "trafilatura+gne"


def run_trafilatura(html: str) -> str:
    import trafilatura

    try:
        return (
            trafilatura.extract(
                html,
                include_comments=False,
                include_tables=True,
                favor_precision=False,
                deduplicate=False,
            )
            or ""
        )
    except Exception:  # a page it cannot parse: it abstains, the other extractor decides
        return ""


_GNE = None
# GNE's text density costs time quadratic in a page's elements (40,000 spans: 8 s);
# the largest real page in shared/corpora has 3,226, a long government page some 10,000.
GNE_MAX_ELEMENTS = 20_000


def run_gne(html: str) -> str:
    """GNE's content extractor alone: the same steps as ``GeneralNewsExtractor.extract``
    (repair, noise nodes, pre-parse, text density) without its title, author and time
    extractors, which this project replaces and which cost half of its time."""
    global _GNE
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from gne.extractor import ContentExtractor
        from gne.utils import fix_html, html2element, pre_parse, remove_noise_node

    if count_elements(html) > GNE_MAX_ELEMENTS:
        return ""  # its text density is quadratic in elements: it abstains
    if _GNE is None:
        _GNE = ContentExtractor()
    try:
        element = html2element(fix_html(html))
        remove_noise_node(element, None)
        content = _GNE.extract(pre_parse(element))
        return content[0][1]["text"] if content else ""
    except Exception:  # GNE raises on pages without a body or with odd markup
        return ""


RUNNERS = {"trafilatura": run_trafilatura, "gne": run_gne}


def align(keys: list[str], text: str) -> list[bool]:
    """Which lines (by match key) the extractor's text holds, in order.

    Long lines (8 or more letters and digits) are placed first: of all the
    places each occurs, the ones that keep the lines in page order and cover the
    most text (a subtitle that the first paragraph repeats is not allowed to
    pull the alignment past that paragraph). A short line ("首页", "IT之家")
    is then looked for only in the stretch of text between the long lines
    around it, so it is matched where it stands in the extracted sequence,
    never by chance elsewhere, and never inside the text of a long line that
    follows.
    """
    target = match_key(text)
    n = len(keys)
    spans: list[tuple[int, int] | None] = [None] * n
    for i, start in _monotone_matches(keys, target):
        spans[i] = (start, start + len(keys[i]))
    lo = 0
    for i, key in enumerate(keys):
        if spans[i] is not None:
            lo = spans[i][1]
            continue
        if not key or len(key) >= LONG_KEY:
            continue
        hi = next((spans[j][0] for j in range(i + 1, n) if spans[j] is not None), len(target))
        pos = target.find(key, lo, hi)
        if pos >= 0:
            spans[i] = (pos, pos + len(key))
            lo = pos + len(key)
    return [span is not None for span in spans]


def _monotone_matches(keys: list[str], target: str) -> list[tuple[int, int]]:
    """(line, start) for the long lines, in page order and in text order, covering most text.

    A weighted longest increasing subsequence over every occurrence (at most
    ``MAX_PLACES`` per line), with a Fenwick tree of the best chain ending at or
    before each position: O(m log m) for m occurrences.
    """
    found = []
    for i, key in enumerate(keys):
        if len(key) < LONG_KEY:
            continue
        pos = target.find(key)
        places = 0
        while pos >= 0 and places < MAX_PLACES:
            found.append((i, pos, pos + len(key)))
            places += 1
            pos = target.find(key, pos + 1)
    if not found:
        return []
    ends = sorted({e for _, _, e in found})
    index = {e: k + 1 for k, e in enumerate(ends)}
    tree = [(0, -1)] * (len(ends) + 1)  # (best weight, candidate) per Fenwick node

    def query(pos: int) -> tuple[int, int]:  # best chain whose last end <= pos
        k = bisect.bisect_right(ends, pos)
        best = (0, -1)
        while k > 0:
            best = max(best, tree[k])
            k -= k & -k
        return best

    def update(end: int, value: tuple[int, int]) -> None:
        k = index[end]
        while k < len(tree):
            tree[k] = max(tree[k], value)
            k += k & -k

    score, back = [0] * len(found), [-1] * len(found)
    c = 0
    while c < len(found):
        line = found[c][0]
        group = []
        while c < len(found) and found[c][0] == line:
            group.append(c)
            c += 1
        for g in group:  # all places of one line see the chains before the line
            best, prev = query(found[g][1])
            score[g], back[g] = best + found[g][2] - found[g][1], prev
        for g in group:
            update(found[g][2], (score[g], g))
    g = max(range(len(found)), key=lambda k: (score[k], -k))
    chain = []
    while g >= 0:
        chain.append((found[g][0], found[g][1]))
        g = back[g]
    return chain[::-1]


_LATIN_LETTER = re.compile(r"[A-Za-z]")


def _text_size(line: str) -> float:
    """Han characters, and Latin letters at a third (about a Chinese character's worth)."""
    return count_cjk(line) + len(_LATIN_LETTER.findall(line)) / 3


def prose_score(lines: list[str]) -> float:
    """How much of a set of lines reads as running text: Han characters (and Latin
    letters / 3) in lines that end sentences and are longer than a menu item."""
    score = 0.0
    for line in lines:
        size = _text_size(line)
        if size >= 20 and _SENTENCE.search(line):
            score += size
    return score


def decide(
    lines: list[str], outputs: dict[str, str], link_share: list[float] | None = None
) -> list[LineVote]:
    """Combine the extractors' outputs into a verdict per visible line (see module doc).

    On a page without running text (a portal, a list of links), both extractors
    fall back to the whole page; there a line that is mostly link text is not
    main text.
    """
    keys = [match_key(line) for line in lines]
    votes = {name: align(keys, outputs.get(name, "")) for name in EXTRACTORS}
    active = _active(lines, votes)
    main = _combine(lines, keys, votes, active)
    if link_share and not prose_score([ln for ln, m in zip(lines, main) if m]):
        main = [m and share < 0.5 for m, share in zip(main, link_share)]
    kept, main = main, _without_strays(lines, main)
    if link_share and any(main):
        main = _without_link_lists(lines, main, link_share)
    result = []
    for i in range(len(lines)):
        v = tuple(votes[n][i] for n in EXTRACTORS)
        said = "; ".join(
            f"{n}: {'yes' if votes[n][i] else 'no'}{'' if n in active else ' (abstained)'}"
            for n in EXTRACTORS
        )
        if kept[i] and not main[i]:
            said += (
                "; in a list of links"
                if link_share and link_share[i] >= 0.9
                else f"; more than {STRAY_GAP} lines away from the running text"
            )
        result.append(LineVote(v, main[i], said, "+".join(active)))
    return result


def _without_link_lists(lines: list[str], main: list[bool], link_share: list[float]) -> list[bool]:
    """Leave out runs of ``LINK_LIST`` or more kept lines that are wholly link text and
    not running text: headlines of related articles kept with the article."""
    out = list(main)
    listed = [m and s >= 0.9 and not prose_score([ln]) for ln, m, s in zip(lines, main, link_share)]
    i = 0
    while i < len(listed):
        j = i
        while j < len(listed) and listed[j]:
            j += 1
        if j - i >= LINK_LIST:
            out[i:j] = [False] * (j - i)
        i = max(j, i + 1)
    return out


def _without_strays(lines: list[str], main: list[bool]) -> list[bool]:
    """Leave out short lines the extractors kept far below or above the article's
    running text: a feedback widget ("感谢您的反馈…"), a report-reason menu. A line
    joins the article when it reads as running text or lies within ``STRAY_GAP``
    lines of a line that joined."""
    running = [m and prose_score([line]) > 0 for line, m in zip(lines, main)]
    if not any(running):
        return main
    out = list(main)
    first, last = running.index(True), len(running) - 1 - running[::-1].index(True)
    for span, edge in ((range(last + 1, len(lines)), last), (range(first - 1, -1, -1), first)):
        for i in span:
            if not main[i]:
                continue
            if running[i] or abs(i - edge) <= STRAY_GAP:
                edge = i
            else:
                out[i] = False
    return out


def _active(lines: list[str], votes: dict[str, list[bool]]) -> list[str]:
    """Extractors whose output counts for this page: all, unless they disagree wholesale,
    then the one whose lines read most as prose."""
    chosen = {n: {i for i, v in enumerate(vs) if v} for n, vs in votes.items()}
    # Sizes in running text only: menus and lists of headlines weigh nothing.
    scores = {n: prose_score([lines[i] for i in chosen[n]]) for n in EXTRACTORS}
    nonempty = [n for n in EXTRACTORS if scores[n] > 0]
    if not nonempty:  # a page without running text (a short notice): both count
        return [n for n in EXTRACTORS if chosen[n]]
    if len(nonempty) < 2:
        return nonempty
    a, b = (chosen[n] for n in nonempty[:2])
    common = prose_score([lines[i] for i in a & b])
    smaller, larger = sorted(scores[n] for n in nonempty[:2])
    # Agreement on a block that is a small part of the other's (a side box both kept)
    # is no agreement on the article.
    if common >= AGREEMENT * smaller and smaller >= LOPSIDED * larger:
        return nonempty
    return [max(nonempty, key=lambda n: (scores[n], -EXTRACTORS.index(n)))]


def _combine(lines, keys, votes, active) -> list[bool]:
    n = len(lines)
    if not active:
        return [False] * n
    if len(active) == 1:
        return list(votes[active[0]])
    both = [all(votes[a][i] for a in active) for i in range(n)]
    some = [any(votes[a][i] for a in active) for i in range(n)]
    agreed = [i for i in range(n) if both[i]]
    if not agreed:
        return some
    first, last = agreed[0], agreed[-1]
    main = list(both)
    for i in range(first, last + 1):
        if some[i] and not both[i] and _reads_as_text(lines[i]):
            main[i] = True
    return main


def _reads_as_text(line: str) -> bool:
    """A line one extractor kept inside the agreed block: text unless it is a short label."""
    return count_cjk(line) >= TEXT_LINE_HAN or len(line.split()) >= 6


def extract_votes(
    html: str, lines: list[str], link_share: list[float] | None = None
) -> list[LineVote]:
    """Run every extractor on the page and decide its visible lines."""
    outputs = {name: RUNNERS[name](html) for name in EXTRACTORS}
    return decide(lines, outputs, link_share)


def main_block(lines: list[str], given: list[str | None]) -> tuple[int, int] | None:
    """The stretch of lines that holds the running text, for captures without markup
    (a crawler's Markdown): the maximum-sum run of line scores (as in Body Text
    Extraction, Finn et al. 2001), where a line of prose scores its length in
    Han characters and any other line a small penalty. What lies outside, an
    account's greeting above the article or its subscription prompts below, is
    not main text. None when the capture has no prose at all.
    """
    best, best_span = 0.0, None
    run, start = 0.0, 0
    for i, (line, reason) in enumerate(zip(lines, given)):
        score = 0.0 if reason is not None or not line.strip() else _line_score(line)
        if run <= 0:
            run, start = score, i
        else:
            run += score
        if run > best:
            best, best_span = run, (start, i)
    return best_span


LINE_PENALTY = 10.0  # what a short non-prose line (a prompt, a menu item) costs the block


@lru_cache(maxsize=1 << 16)  # a crawl repeats its prompts and menus on every page
def _line_score(line: str) -> float:
    """A line's score in :func:`main_block`: its size if prose, else a penalty."""
    if _is_prose(line):
        return _text_size(line)
    return -max(LINE_PENALTY, len(line) / 2)


def _is_prose(line: str) -> bool:
    """A sentence, however short ("第十四条 本办法自公布之日起施行。"), or a numbered
    item of a law or list: what the running text is made of."""
    size = _text_size(line)
    if size >= 4 and re.search(r"[。；;]\s*[”’」』)）*]*\s*$", line):
        return True
    return size >= 20 and bool(_SENTENCE.search(line))
