"""Segmentation into tokens, with a cache that is rebuilt only when an input changes.

Chinese goes through a jieba-compatible segmenter with the domain terms as a
user dictionary: by default rjieba (jieba's algorithm and dictionary compiled,
about 20 times faster), or a dedicated :class:`jieba.Tokenizer` (never the
global ``jieba.dt``) when ``engine="jieba"`` or part-of-speech filtering is
asked for. The concept lexicon's
Chinese forms and domain terms are protected (longest first): the text is cut
around them first, so 网络空间治理, 网络主权 and
网络空间命运共同体 are always one token and never split by the HMM. English is
lower-cased and split into words. Stopwords come from stopwords-iso (zh),
scikit-learn (en) and the project's own list.

The cache in ``data/processed/tokens/<settings>/`` holds one file per
partition of the built corpus, keyed by the partition's content hash; the
folder is keyed by the lexicon files, the stopword lists, the segmenter
versions, this module's version and the settings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from .config import processed_dir_of, resolve_data_dir
from .lexicon import Lexicon, load_lexicon

TOKENIZER_VERSION = "6"  # bump when the tokenisation code changes its output
KEEP_CACHES = 4  # token caches kept side by side (one per recent set of settings)
PARALLEL_MIN_CHARS = 2_000_000  # below this, worker start-up costs more than it saves
PARALLEL_MIN_PARAGRAPHS = 20_000  # the same for partitions of a built corpus
CUT_CHUNK_CHARS = 100_000  # text rjieba cuts in one call (see Segmenter._cut_joined)
_HAS_WORD_CHAR = "[\u4e00-\u9fffA-Za-z]"  # the characters themselves: RE2 reads this too
_EN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]")  # two letters or more
# jieba's HMM path cuts a run such as "2011-2020", "2.2.1" or "8.8mm" at the symbols
# (finalseg's re_skip); rjieba keeps it whole. Paragraphs with a symbol next to a letter,
# a digit or another symbol may hold such a run: their tokens get jieba's cut back.
_SYMBOL_IN_RUN = re.compile(r"[A-Za-z0-9+#&._%\-][+#&._%\-]|[+#&._%\-][A-Za-z0-9]")
_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_HAN_RE2 = "[\u4e00-\u9fd5]"  # jieba's Han class, written so that RE2 (Arrow) reads it too
_HAN = re.compile(_HAN_RE2)
_MARKS = re.compile(r"[\t\n\r]")  # what marks words and paragraphs in one joined cut
ENGINES = ("rjieba", "jieba")


@dataclass(frozen=True)
class TokenSettings:
    """How text becomes tokens.

    Parameters
    ----------
    engine
        ``"rjieba"`` (default; same dictionary and algorithm as jieba, compiled) or
        ``"jieba"`` (the reference). With ``hmm=False`` both give identical tokens;
        with the HMM on they agree on more than 99.9% of paragraphs.
    hmm
        Let jieba's HMM join unknown words (jieba's default).
    min_chars_zh
        Drop Chinese tokens shorter than this (lexicon forms are always kept).
    pos_keep
        Keep only these jieba part-of-speech tags (e.g. ``("n", "nz", "vn", "v")``);
        None keeps every tag. Tagging is about four times slower.
    """

    engine: str = "rjieba"
    hmm: bool = True
    min_chars_zh: int = 2
    pos_keep: tuple[str, ...] | None = None


class Segmenter:
    """Chinese and English tokeniser for one lexicon and one set of settings."""

    def __init__(self, lexicon: Lexicon, settings: TokenSettings = TokenSettings()):
        if settings.engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {settings.engine!r}")
        self.lexicon = lexicon
        self.settings = settings

    @property
    def _cuts_with_rjieba(self) -> bool:
        """rjieba cuts the text itself (part-of-speech tags need jieba)."""
        return self.settings.engine == "rjieba" and self.settings.pos_keep is None

    @cached_property
    def _rjieba(self):
        import rjieba

        rj = rjieba.Jieba()
        for word in (*self.lexicon.domain_terms, *self.lexicon.zh_forms):
            rj.add_word(word, None, None)
        return rj

    @cached_property
    def _jieba(self):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tk = jieba.Tokenizer()
        tk.initialize()
        for word in (*self.lexicon.domain_terms, *self.lexicon.zh_forms):
            tk.add_word(word)
        return tk

    @cached_property
    def _posseg(self):
        import jieba.posseg

        return jieba.posseg.POSTokenizer(self._jieba)

    @cached_property
    def _protected(self) -> re.Pattern[str] | None:
        """Concept forms and domain terms together, longest first: an alternation takes its
        first alternative that matches, so at each position the longest word wins
        (网络空间治理, a domain term, over 网络空间, a concept form)."""
        from .lexicon import longest_first_pattern

        words = {*self.lexicon.zh_forms, *(t for t in self.lexicon.domain_terms if t.strip())}
        return longest_first_pattern(words)

    def _cut(self, chunk: str) -> list[str]:
        if self._cuts_with_rjieba:
            toks = self._rjieba.cut(chunk, self.settings.hmm)
            if self.settings.hmm and _SYMBOL_IN_RUN.search(chunk):
                toks = _cut_symbol_runs(toks, self._is_word)
            return toks
        if self.settings.pos_keep is None:
            return self._jieba.lcut(chunk, HMM=self.settings.hmm)
        keep = self.settings.pos_keep
        return [
            w
            for w, flag in self._posseg.lcut(chunk, HMM=self.settings.hmm)
            if flag.startswith(keep)
        ]

    def raw_zh(self, text: str) -> list[str]:
        """Segment Chinese text, lexicon forms whole; nothing filtered."""
        out: list[str] = []
        pos = 0
        for m in self._protected.finditer(text) if self._protected else ():
            out.extend(self._cut(text[pos : m.start()]))
            out.append(m.group(0))
            pos = m.end()
        out.extend(self._cut(text[pos:]))
        return out

    def zh(self, text: str) -> list[str]:
        """Chinese tokens: segmented, then punctuation, numbers, stopwords and short tokens out."""
        return self.token_lists([text], ["zh"])[0].as_py()

    def en(self, text: str) -> list[str]:
        """English tokens: lower-cased words without stopwords."""
        stop = self.lexicon.en_stopwords
        return [w for w in _EN_WORD.findall(text.lower()) if w not in stop]

    def tokens(self, text: str, lang: str) -> list[str]:
        return self.zh(text) if lang == "zh" else self.en(text)

    def token_lists(self, texts: list[str], langs: list[str]):
        """Tokens of many paragraphs at once, as an Arrow list array.

        Chinese paragraphs are segmented together (see :meth:`_zh_raw`); the filter
        (lower-case, trim, keep lexicon forms, drop tokens without a letter or Han
        character, stopwords and short tokens) then runs once per distinct token in
        Arrow's compute kernels, which costs a fraction of a Python check per token.
        English paragraphs are lower-cased and split one by one.
        """
        import pyarrow as pa

        is_zh = np.fromiter((lang == "zh" for lang in langs), dtype=bool, count=len(langs))
        rows_zh, rows_en = np.flatnonzero(is_zh), np.flatnonzero(~is_zh)
        lists = self._filtered(*self._zh_raw([texts[i] for i in rows_zh]))
        if len(rows_en) == 0:
            return lists
        english = pa.array([self.en(texts[i]) for i in rows_en], type=pa.list_(pa.string()))
        order = np.empty(len(texts), dtype=np.int64)
        order[rows_zh] = np.arange(len(rows_zh))
        order[rows_en] = len(rows_zh) + np.arange(len(rows_en))
        return pa.concat_arrays([lists, english]).take(pa.array(order))

    def _zh_raw(self, texts: list[str]):
        """Unfiltered tokens of Chinese paragraphs, dictionary-encoded: the distinct
        tokens (an Arrow array), each token's index into them and the number of tokens
        per paragraph, with the lexicon's words whole.

        With rjieba, the paragraphs are cut together (:meth:`_cut_joined`): they are
        joined with a line break and every protected word is replaced by a tab. jieba's
        algorithm cuts a text into blocks at every character that is neither Han nor
        alphanumeric and segments each block alone, so the joined text gives each
        paragraph's tokens, with a line break after each paragraph and a tab where each
        protected word was (tabs and line breaks already in a paragraph become spaces,
        which cut it the same way and, like them, never survive the filter). A few calls
        and conversions instead of one per paragraph and piece. The other engines cut
        paragraph by paragraph.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self._cuts_with_rjieba:
            raw = [
                self.raw_zh(t) if has_form else self._cut(t)
                for t, has_form in zip(texts, self._has_form(texts))
            ]
            return _encoded_lists(raw)
        column = pa.array(texts, type=pa.string())
        has_form = self._has_form(column)  # a form holds no tab or line break
        # A copy, in which the protected words are replaced.
        has_marks = pc.any(pc.match_substring_regex(column, _MARKS.pattern)).as_py()
        texts = [_MARKS.sub(" ", t) for t in texts] if has_marks else [*texts]
        forms: list[str] = []

        def mark(match: re.Match[str]) -> str:
            forms.append(match.group(0))
            return "\t"

        for i in np.flatnonzero(has_form):
            texts[i] = self._protected.sub(mark, texts[i])
        types, index = _encoded(self._cut_joined(texts))
        ends, tabs = (np.flatnonzero(index == _find(types, sep)) for sep in ("\n", "\t"))
        if len(ends) != max(len(texts) - 1, 0) or len(tabs) != len(forms):
            raise RuntimeError("rjieba did not keep the paragraph and word marks apart")
        if forms:  # each tab becomes its word, added after the other tokens
            index[tabs] = len(types) + np.arange(len(forms))
            types = pa.concat_arrays([types, pa.array(forms, type=types.type)])
        # Each paragraph owns the line break after it; the filter drops the break.
        bounds = np.concatenate([[0], ends + 1, [len(index)]]) if texts else np.zeros(1, int)
        return types, index, np.diff(bounds)

    def _cut_joined(self, texts: list[str]):
        """rjieba's tokens of the texts joined by line breaks, as an Arrow string array.

        The text goes to rjieba a run of paragraphs of about ``CUT_CHUNK_CHARS``
        characters at a time, each run ending at a line break, so the tokens are those
        of one call on the whole text. Cutting a whole partition at once made 1.4
        million Python strings live together; their memory was mapped afresh for every
        partition, and the page faults took about a fifth of the time.
        """
        import pyarrow as pa

        if not texts:
            return pa.array([], type=pa.string())
        ends = np.cumsum([len(t) + 1 for t in texts])
        stops = np.searchsorted(ends, np.arange(CUT_CHUNK_CHARS, ends[-1], CUT_CHUNK_CHARS)) + 1
        pieces, start = [], 0
        for stop in [*np.unique(stops[stops < len(texts)]).tolist(), len(texts)]:
            chunk = "\n".join(texts[start:stop]) + ("\n" if stop < len(texts) else "")
            pieces.append(pa.array(self._rjieba.cut(chunk, self.settings.hmm), type=pa.string()))
            start = stop
        return pa.concat_arrays(pieces)

    def filter_lists(self, raw: list[list[str]]):
        """The filter of :meth:`token_lists` applied to lists of unfiltered Chinese tokens
        (another segmenter's, for comparison), as an Arrow list array."""
        return self._filtered(*_encoded_lists(raw))

    def _filtered(self, types, index, lengths):
        """The list array of ``lengths[i]`` tokens each, ``types[index]`` in order,
        filtered; jieba's cut of symbol runs ("2011-2020") applied for rjieba."""
        import pyarrow as pa
        import pyarrow.compute as pc

        offsets = np.concatenate([[0], np.cumsum(lengths)])
        if self.settings.hmm and self._cuts_with_rjieba:
            types, index, offsets = _split_symbol_runs(types, index, offsets, is_word=self._is_word)
        types = pc.utf8_trim_whitespace(pc.utf8_lower(types))
        keep_type = pc.or_(
            pc.is_in(types, value_set=self._forms_array),
            pc.and_(
                pc.and_(
                    pc.match_substring_regex(types, _HAS_WORD_CHAR),
                    pc.invert(pc.is_in(types, value_set=self._stop_array)),
                ),
                pc.greater_equal(pc.utf8_length(types), self.settings.min_chars_zh),
            ),
        )
        keep = np.asarray(keep_type.to_numpy(zero_copy_only=False), dtype=bool)[index]
        kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
        kept = types.take(pa.array(index[keep]))
        return pa.ListArray.from_arrays(pa.array(kept_before[offsets], type=pa.int32()), kept)

    def _has_form(self, texts):
        """Which texts (a list or an Arrow string array) contain a lexicon form: one
        pass of RE2 over all of them."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._protected is None:
            return np.zeros(len(texts), dtype=bool)
        column = texts if isinstance(texts, pa.Array) else pa.array(texts, type=pa.string())
        counts = pc.count_substring_regex(column, self._protected.pattern)
        return counts.to_numpy(zero_copy_only=False) > 0

    @cached_property
    def _forms_array(self):
        import pyarrow as pa

        words = {*self.lexicon.form_to_concept, *self.lexicon.domain_terms}
        return pa.array(sorted(w.lower() for w in words), type=pa.string())

    def _is_word(self, token: str) -> bool:
        """A word of the segmenter's dictionary or the lexicon: its cut without the
        HMM is the token itself."""
        return self._rjieba.cut(token, False) == [token]

    @cached_property
    def _stop_array(self):
        import pyarrow as pa

        return pa.array(sorted(self.lexicon.zh_stopwords), type=pa.string())


def _encoded(values):
    """Distinct tokens (as plain strings) and each token's index into them, writable."""
    import pyarrow as pa

    coded = values.dictionary_encode()
    return coded.dictionary.cast(pa.string()), coded.indices.to_numpy().astype(np.int64)


def _encoded_lists(raw: list[list[str]]):
    """:func:`_encoded` of lists of tokens, with the number of tokens in each list."""
    import pyarrow as pa

    nested = pa.array(raw, type=pa.list_(pa.string()))
    return (*_encoded(nested.values), np.diff(nested.offsets.to_numpy()))


def _find(types, token: str) -> int:
    """Where ``token`` is among the distinct tokens, or -1."""
    import pyarrow.compute as pc

    return pc.index(types, token).as_py()


def _cut_symbol_runs(toks: list[str], is_word: Callable[[str], bool]) -> list[str]:
    """Cut non-Chinese tokens such as "2011-2020" the way jieba's HMM path does; a word
    of the dictionary (C++, AT&T) stays whole, as jieba keeps it."""
    out = []
    for tok in toks:
        # The cheap test first: most tokens are one character or start with a Han one.
        kept = len(tok) < 2 or "\u4e00" <= tok[0] <= "\u9fd5" or _HAN.search(tok)
        if kept or _SKIP.fullmatch(tok) or is_word(tok):
            out.append(tok)
        else:
            out.extend(x for x in _SKIP.split(tok) if x)
    return out


def _split_symbol_runs(types, index, offsets, *, is_word):
    """:func:`_cut_symbol_runs` applied to distinct tokens: each token that jieba's HMM
    path would cut becomes its pieces, and the paragraph offsets grow with them. Only
    tokens of two or more characters without Han are looked at in Python; a word of
    the dictionary (``is_word``: C++, AT&T, the lexicon's words) stays whole, as jieba
    keeps it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    candidates = pc.and_(
        pc.greater(pc.utf8_length(types), 1), pc.invert(pc.match_substring_regex(types, _HAN_RE2))
    )
    pieces = {}
    for i in np.flatnonzero(candidates.to_numpy(zero_copy_only=False)):
        cut = _cut_symbol_runs([types[int(i)].as_py()], is_word)
        if len(cut) > 1:
            pieces[int(i)] = cut
    if not pieces:
        return types, index, offsets
    # The pieces go after the types; a cut type points at its first piece.
    cut_ids = np.array(sorted(pieces), dtype=np.int64)
    n_pieces = np.ones(len(types), dtype=np.int64)
    n_pieces[cut_ids] = [len(pieces[i]) for i in cut_ids]
    first = np.arange(len(types), dtype=np.int64)
    first[cut_ids] = len(types) + np.concatenate([[0], np.cumsum(n_pieces[cut_ids])[:-1]])
    extra = pa.array([piece for i in cut_ids for piece in pieces[i]], type=types.type)
    # Every token moves right by the pieces added before it; the few cut tokens then
    # fill the places after their first piece (numpy over the cut tokens only).
    added = n_pieces[index] - 1
    before = np.concatenate([[0], np.cumsum(added)])
    at = np.arange(len(index)) + before[:-1]
    new_index = np.empty(len(index) + before[-1], dtype=np.int64)
    new_index[at] = first[index]
    cut = np.flatnonzero(added)
    if len(cut):
        counts = added[cut]
        within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + 1
        new_index[np.repeat(at[cut], counts) + within] = (
            np.repeat(first[index[cut]], counts) + within
        )
    return (
        pa.concat_arrays([types, extra]),
        new_index,
        (np.arange(len(index) + 1) + before)[offsets],
    )


def quiet_jieba():
    """The jieba module with its start-up messages silenced (they would land in reports)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


def han_counts(texts) -> np.ndarray:
    """Han characters per string of an Arrow string array, what :func:`normalise.count_cjk`
    counts, read from the UTF-8 bytes: a Han character's lead byte is E5-E9, E4 (but
    not U+4DC0-U+4DFF, E4 B7), E3 from U+3400 (E3 90 and up) or EF for U+F900-U+FAFF
    (EF A4-AB). A few passes of numpy over the buffer, ten times faster than a regex."""
    import numpy as np
    import pyarrow as pa

    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    arr = arr.cast(pa.large_string()) if arr.type != pa.large_string() else arr
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int64)[
        arr.offset : arr.offset + len(arr) + 1
    ]
    data = arr.buffers()[2]
    b = (
        np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]
        if data
        else np.zeros(0, np.uint8)
    )
    at = offsets - offsets[0]
    lead, nxt = b[:-1], b[1:]  # the last byte never leads a three-byte character
    han = (lead >= 0xE5) & (lead <= 0xE9)
    han |= (lead == 0xE4) & (nxt != 0xB7)
    han |= (lead == 0xE3) & (nxt >= 0x90)
    han |= (lead == 0xEF) & (nxt >= 0xA4) & (nxt <= 0xAB)
    # Count by where the lead bytes are, not by a running total over every byte.
    return np.diff(np.searchsorted(np.flatnonzero(han), at)).astype(np.int64)


def _text_sizes(texts, langs):
    """:func:`normalise.text_size` over Arrow columns: Han characters of Chinese
    paragraphs, non-space characters of English ones."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sizes = han_counts(texts)
    english = np.flatnonzero(pc.not_equal(langs, "zh").to_numpy(zero_copy_only=False))
    if len(english):  # non-space characters, counted on the English rows only
        en = pc.take(texts, pa.array(english))
        spaces = pc.count_substring_regex(en, r"\s").to_numpy(zero_copy_only=False)
        sizes[english] = pc.utf8_length(en).to_numpy(zero_copy_only=False) - spaces
    return pa.array(sizes, type=pa.int64())


def _token_table(paragraphs, lists):
    """The token table of some paragraphs (an Arrow table with para_id, work_id, lang, text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def text(name: str):  # a partition with no paragraph stores its columns as null
        column = paragraphs[name]
        return column.cast(pa.string()) if pa.types.is_null(column.type) else column

    return pa.table(
        {
            "para_id": text("para_id"),
            "work_id": text("work_id"),
            "lang": text("lang"),
            "tokens": lists,
            "n_tokens": pc.list_value_length(lists).cast(pa.int64()),
            "n_chars": _text_sizes(text("text"), text("lang")),
        }
    )


def _segment_batch(job: tuple[Lexicon, TokenSettings, list[str], list[str]]):
    lexicon, settings, texts, langs = job
    return _segmenter(lexicon, settings).token_lists(texts, langs)


def tokenize(
    paragraphs: pd.DataFrame,
    lexicon: Lexicon,
    settings: TokenSettings = TokenSettings(),
    *,
    n_jobs: int | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Tokens of every paragraph: ``para_id, work_id, lang, tokens, n_tokens, n_chars``.

    Parameters
    ----------
    n_jobs
        Worker processes for large corpora (None: every core). Corpora under
        ``PARALLEL_MIN_CHARS`` characters are segmented in this process.
    """
    import pyarrow as pa

    from .engine import map_partitions

    texts, langs = paragraphs["text"].tolist(), paragraphs["lang"].tolist()
    n_jobs = n_jobs or os.cpu_count() or 1
    if n_jobs == 1 or sum(map(len, texts)) < PARALLEL_MIN_CHARS:
        n_jobs = 1
    size = max(1, -(-len(texts) // (n_jobs * 4)))
    jobs = [
        (lexicon, settings, texts[i : i + size], langs[i : i + size])
        for i in range(0, len(texts), size)
    ]
    parts = map_partitions(
        _segment_batch, jobs, n_jobs=n_jobs, progress=progress, desc="segmenting"
    )
    lists = pa.chunked_array(parts, type=pa.list_(pa.string()))
    table = pa.Table.from_pandas(
        paragraphs[["para_id", "work_id", "lang", "text"]], preserve_index=False
    )
    return _token_table(table, lists).to_pandas()


def settings_fingerprint(lexicon: Lexicon, settings: TokenSettings) -> str:
    """What tokens depend on besides the paragraphs: lexicon, settings, library versions.

    Versions are read from the installed distributions, without importing them,
    so checking a warm cache stays fast.
    """
    parts = {
        "lexicon": lexicon.fingerprint(),
        "settings": asdict(settings),
        **{name: _dist_version(name) for name in ("jieba", "rjieba", "stopwordsiso")},
        "sklearn": _dist_version("scikit-learn"),
        "tokenizer": TOKENIZER_VERSION,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _dist_version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


@dataclass(frozen=True)
class TokenTask:
    """Segment one partition of paragraphs into one token file (picklable for workers)."""

    paragraphs_file: Path
    tokens_file: Path
    lexicon: Lexicon
    settings: TokenSettings


_SEGMENTERS: dict[tuple[str, TokenSettings], Segmenter] = {}


def segment_partition(task: TokenTask) -> None:
    """Segment one paragraph partition and write its tokens.

    A worker keeps its segmenter between partitions, so the dictionary loads
    once per process.
    """
    import pyarrow.parquet as pq

    from .io import write_atomic

    paragraphs = pq.read_table(task.paragraphs_file, columns=["para_id", "work_id", "lang", "text"])
    seg = _segmenter(task.lexicon, task.settings)
    lists = seg.token_lists(paragraphs["text"].to_pylist(), paragraphs["lang"].to_pylist())
    table = _token_table(paragraphs, lists)
    write_atomic(task.tokens_file, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def _segmenter(lexicon: Lexicon, settings: TokenSettings) -> Segmenter:
    key = (lexicon.fingerprint(), settings)
    if key not in _SEGMENTERS:
        _SEGMENTERS[key] = Segmenter(lexicon, settings)
    return _SEGMENTERS[key]


def _tokens_dir(processed: Path, fingerprint: str) -> Path:
    """Where the tokens of one lexicon and set of settings are cached."""
    return processed / "tokens" / fingerprint[:20]


def _tokens_file(folder: Path, partition_sha256: str) -> Path:
    """A partition's tokens, named by its paragraphs' digest."""
    return folder / f"{partition_sha256[:20]}.parquet"


def segmentation_follow_up(
    data_dir: Path | str | None = None,
    *,
    lexicon: Lexicon | None = None,
    settings: TokenSettings = TokenSettings(),
) -> tuple[Callable[[TokenTask], None], Callable[[Path, str], TokenTask | None]]:
    """What :func:`.corpus.build` needs to segment each partition as soon as it is
    written, in the build's own workers, into the cache :func:`segment` reads
    (``build(..., follow_up=segmentation_follow_up(data_dir))``)."""
    data_dir = resolve_data_dir(data_dir)
    lexicon = lexicon or load_lexicon(data_dir)
    folder = _tokens_dir(processed_dir_of(data_dir), settings_fingerprint(lexicon, settings))

    def task_of(part_file: Path, sha256: str) -> TokenTask | None:
        out = _tokens_file(folder, sha256)
        return None if out.is_file() else TokenTask(part_file, out, lexicon, settings)

    return segment_partition, task_of


@dataclass(frozen=True)
class Segmentation:
    """Where the tokens of a built corpus are, and how many partitions had to be segmented."""

    files: tuple[Path, ...]
    n_segmented: int
    fingerprint: str


def segment(
    data_dir: Path | str | None = None,
    *,
    settings: TokenSettings = TokenSettings(),
    lexicon: Lexicon | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> Segmentation:
    """Make sure every partition of the built corpus has its tokens cached; load nothing.

    The cache is ``processed/tokens/<settings>/<partition>.parquet``: a partition
    whose paragraphs, lexicon, settings and library versions are unchanged is not
    segmented again, so a rebuild that changes one partition re-segments one.
    Missing partitions are segmented in parallel (``engine`` as in :func:`build`).
    """
    from .corpus import read_manifest
    from .engine import map_partitions
    from .io import write_json

    data_dir = resolve_data_dir(data_dir)
    processed = processed_dir_of(data_dir)
    manifest = read_manifest(processed)
    lexicon = lexicon or load_lexicon(data_dir)
    fp = settings_fingerprint(lexicon, settings)
    folder = _tokens_dir(processed, fp)
    files = tuple(_tokens_file(folder, p["sha256"]) for p in manifest["partitions"])
    todo = [
        TokenTask(processed / p["file"], out, lexicon, settings)
        for p, out in zip(manifest["partitions"], files)
        if not out.is_file()
    ]
    small = sum(p["rows"] for p in manifest["partitions"]) < PARALLEL_MIN_PARAGRAPHS
    map_partitions(
        segment_partition,
        todo,
        engine=engine,
        scheduler=scheduler,
        n_jobs=1 if small and engine == "local" else n_jobs,
        progress=progress,
        desc="segmenting",
    )
    if todo or not (folder / "settings.json").is_file():
        write_json(
            {
                "fingerprint": fp,
                "settings": asdict(settings),
                "lexicon_dir": _portable(lexicon.source_dir, data_dir),
            },
            folder / "settings.json",
        )
    _prune(folder, keep_files=set(files))
    return Segmentation(files, len(todo), fp)


def _portable(path: Path, data_dir: Path) -> str:
    """A path as outputs record it: relative to the data folder or the repository, never
    absolute, so two copies of one corpus write the same bytes."""
    from .config import REPO_ROOT

    for base, label in ((Path(data_dir), "<data>"), (REPO_ROOT, "<repository>")):
        try:
            return f"{label}/{Path(path).resolve().relative_to(base.resolve()).as_posix()}"
        except ValueError:
            continue
    return Path(path).name


def load_tokens(
    data_dir: Path | str | None = None,
    *,
    settings: TokenSettings = TokenSettings(),
    lexicon: Lexicon | None = None,
    engine: str = "local",
    n_jobs: int | None = None,
    progress: bool = False,
    versions: str = "all",
) -> pd.DataFrame:
    """Tokens of the built corpus, from the cache when nothing they depend on has changed.

    ``tokens.attrs["from_cache"]`` is True when no partition had to be segmented.
    ``versions="latest"`` keeps the tokens of each document's latest version only
    (see :func:`.storage.load_processed`).
    """
    from .storage import read_works
    from .versions import check_versions, select_versions

    check_versions(versions)
    done = segment(
        data_dir,
        settings=settings,
        lexicon=lexicon,
        engine=engine,
        n_jobs=n_jobs,
        progress=progress,
    )
    frames = [pd.read_parquet(f) for f in done.files]
    tokens = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if versions != "all":
        tokens = select_versions(tokens, read_works(data_dir), versions)
    tokens.attrs["from_cache"] = done.n_segmented == 0
    return tokens


def _prune(folder: Path, *, keep_files: set[Path]) -> None:
    """Keep the ``KEEP_CACHES`` most recently used settings folders; in this one, only the
    partitions of the current build."""
    import shutil

    for old in folder.glob("*.parquet"):
        if old not in keep_files:
            old.unlink(missing_ok=True)
    os.utime(folder)  # mark as most recently used
    caches = sorted(
        (d for d in folder.parent.iterdir() if d.is_dir()),
        key=lambda d: d.stat().st_mtime_ns,
        reverse=True,
    )
    for stale in caches[KEEP_CACHES:]:
        shutil.rmtree(stale, ignore_errors=True)
    for legacy in folder.parent.glob("*.parquet"):  # single-file caches of older versions
        legacy.unlink(missing_ok=True)
        legacy.with_suffix(".json").unlink(missing_ok=True)
