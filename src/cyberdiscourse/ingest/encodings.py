"""Bytes to text, as a browser decodes them.

Order (the WHATWG encoding rules): a byte-order mark; then the charset the transport
declares (an HTTP ``Content-Type`` kept in a WARC or MHTML); then a ``<meta charset>``
in the page's head; detection only when none is declared or the declaration fails.
Labels are resolved by the WHATWG table (``webencodings``), so ``gb2312``, ``x-gbk``
and ``gbk`` all mean the GBK decoder, which is GB18030's; ``iso-8859-1`` means
windows-1252; a ``<meta>`` naming UTF-16 means UTF-8.

A browser shows whatever the declared encoding yields. Old Chinese pages often declare
the wrong one (a server's ``iso-8859-1`` default; ``gb2312`` on a UTF-8 page), which
the reader then sees as mojibake. Here a declared decoding that reads as mojibake,
where the same bytes read as Chinese under another encoding, is decoded again, and the
encoding recorded says so; one that no encoding reads cleanly is kept with its
replacement characters counted in the encoding, which the review flags.
"""

from __future__ import annotations

import codecs
import re

from ..errors import CorpusError, Problem

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG decoder name -> Python codec, where the two differ in what they accept.
_WHATWG_TO_PYTHON = {"gbk": "gb18030", "gb18030": "gb18030", "big5": "big5hkscs"}
# charset-normalizer names Chinese legacy encodings variously; GB18030 is a
# superset of GB2312 and GBK, so decode all three with it.
_DETECTED_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs"}
_META_CHARSET = re.compile(
    rb"<meta[^>]+?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE | re.DOTALL
)
PRESCAN_BYTES = 4096  # WHATWG's prescan reads 1,024; old Chinese heads run longer
REPLACED_AT_MOST = 0.01  # share of characters a browser-like decoding may replace
CHINESE_READING = 0.8  # share of common Han characters in text that reads as Chinese
MOJIBAKE_READING = 0.5  # under this share, Han text reads as mojibake


def whatwg_codec(label: str | None, *, from_meta: bool = False) -> str | None:
    """The Python codec a browser would use for a charset label, or None for a label
    it does not know (``undefined``, ``idna``) or refuses (``hz-gb-2312``)."""
    import webencodings

    if not label:
        return None
    found = webencodings.lookup(label.strip().strip("\"'"))
    if found is None or found.name in ("replacement", "x-user-defined"):
        return None
    if from_meta and found.name.startswith("utf-16"):
        return "utf-8"  # a page cannot declare UTF-16 from inside itself
    return _WHATWG_TO_PYTHON.get(found.name, found.codec_info.name)


def meta_charset(data: bytes) -> str | None:
    """The charset a page's ``<meta>`` declares in its first bytes, as written."""
    found = _META_CHARSET.search(data[:PRESCAN_BYTES])
    return found.group(1).decode("ascii", "replace") if found else None


def decode_page(data: bytes, *, declared: str | None = None, name: str) -> tuple[str, str]:
    """Decode a web page's bytes: ``(text, encoding as recorded)``.

    ``declared``: the transport's charset (an HTTP header), if any. Failing
    declarations fall through to detection (:func:`decode_bytes`).
    """
    bom = _by_bom(data)
    if bom is not None:
        return bom
    if _looks_binary(data):
        _refuse_binary(name)
    fallback = None
    for label, from_meta in ((declared, False), (meta_charset(data), True)):
        codec = whatwg_codec(label, from_meta=from_meta)
        if codec is None:
            continue
        text, replaced = _decode_replacing(data, codec)
        mojibake = _reads_as_mojibake(text)
        # Chinese bytes under a wrong declaration may still decode without an error
        # (GBK as windows-1251 is all Cyrillic letters): look for another reading.
        better = _rereading(data) if replaced or mojibake or han_count(text) < 20 else None
        if better is not None and better[1] != codec:
            return better[0], f"{better[1]} (declared {label}, which reads as mojibake)"
        if better is not None:
            text, replaced = better[0], better[2]
        if not replaced and not mojibake:
            return repaired(text, codec) if codec == "utf-8" else (text, codec)
        fallback = fallback or (text, codec, replaced, mojibake)
    if fallback is None:
        return decode_bytes(data, name=name)
    text, codec, replaced, mojibake = fallback
    if replaced > REPLACED_AT_MOST * max(1, len(text)):
        try:
            return decode_bytes(data, name=name)
        except CorpusError:
            pass  # what the declaration yields is what a browser shows
    note = "reads as mojibake" if mojibake else f"{replaced} bytes replaced"
    return text, f"{codec} ({note})"


def decode_bytes(data: bytes, *, name: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes nothing declares: ``(text, encoding)``.

    BOM, strict UTF-8, lines in two encodings, the legacy encoding that reads most
    like Chinese, and last what a browser would show (some bytes replaced).

    Raises
    ------
    CorpusError
        When the bytes are binary or no encoding decodes them.
    """
    bom = _by_bom(data)
    if bom is not None:
        return bom
    try:
        return repaired(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        _refuse_binary(name)
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    guess = _detect(data)  # charset-normalizer: slow on a large file, so asked once
    decoded = (
        _best_legacy_decoding(data, guess)
        or _replacing(data)
        or _best_legacy_decoding(data, guess, any_reading=True)
    )
    if decoded is None:
        raise CorpusError(
            Problem(
                name,
                "",
                "no text encoding decodes this file",
                "save it as UTF-8 text and add it again",
            )
        )
    return decoded


# Letters a line of Chinese text never holds unless it is mojibake: Latin-1 and
# extended Latin, Greek, Cyrillic, Hebrew, Arabic (UTF-8 read as windows-1252 or -1256).
_FOREIGN_LETTERS = re.compile(r"[\u00c0-\u024f\u0370-\u06ff]")
_MISREAD_AS = ("cp1252", "cp1256", "cp1251", "cp1250", "latin-1")


def repaired(text: str, encoding: str) -> tuple[str, str]:
    """``(text, encoding)`` with lines of double-decoded UTF-8 put right: a page saved
    after a tool read its UTF-8 as windows-1252 or -1256 ("ç™»ه½•" for 登录). ftfy
    says which lines read as mojibake; such a line is encoded back under each legacy
    encoding and read as UTF-8, and kept when that gives Chinese."""
    from ftfy.badness import is_bad

    lines = text.split("\n")
    fixed = 0
    for i, line in enumerate(lines):
        if _FOREIGN_LETTERS.search(line) and is_bad(line):
            better = _reread_line(line)
            if better is not None:
                lines[i], fixed = better, fixed + 1
    if not fixed:
        return text, encoding
    return "\n".join(lines), f"{encoding} ({fixed} lines of mojibake repaired)"


def _reread_line(line: str) -> str | None:
    for codec in _MISREAD_AS:
        try:
            again = line.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if han_count(again) and not _FOREIGN_LETTERS.search(again):
            return again
    return None


def _refuse_binary(name: str):
    raise CorpusError(
        Problem(
            name,
            "",
            "looks like a binary file, not text",
            "remove it from data/raw or convert it to .txt, .html or .pdf with a text layer",
        )
    )


def _by_bom(data: bytes) -> tuple[str, str] | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue  # FF FE 00 00 is also UTF-16's BOM before a NUL: try the next
    return None


def _decode_replacing(data: bytes, codec: str) -> tuple[str, int]:
    """What a browser shows: the text, and how many characters it replaced."""
    try:
        return data.decode(codec), 0
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        return text, text.count("\ufffd")
    except LookupError:
        return "", len(data)


def _replacing(data: bytes) -> tuple[str, str] | None:
    """The Chinese encoding that needs the fewest replacements, if few enough."""
    best = None
    for codec in ("gb18030", "utf-8", "big5hkscs"):
        text, replaced = _decode_replacing(data, codec)
        if best is None or replaced < best[1]:
            best = (text, replaced, codec)
    text, replaced, codec = best
    if replaced > REPLACED_AT_MOST * max(1, len(text)) or _reads_as_mojibake(text):
        return None
    return text, f"{codec} ({replaced} bytes replaced)"


def _rereading(data: bytes) -> tuple[str, str, int] | None:
    """``(text, codec, characters replaced)`` for the first Chinese encoding under
    which the bytes read as Chinese (at most a few bytes replaced), or None."""
    for codec in ("utf-8", "gb18030", "big5hkscs"):
        text, replaced = _decode_replacing(data, codec)
        if (
            replaced <= REPLACED_AT_MOST * max(1, len(text))
            and han_count(text) >= 20
            and common_han_share(text) >= CHINESE_READING
        ):
            return text, codec, replaced
    return None


def _reads_as_mojibake(text: str) -> bool:
    """Han text made mostly of rare characters (UTF-8 read as GBK: 鍙戝竷), or text whose
    letters beyond ASCII run in clumps of Latin-1 or Cyrillic (GBK read as windows-1252:
    ÈÕÆÚ), where Chinese should be."""
    if han_count(text) >= 20 and common_han_share(text) < MOJIBAKE_READING:
        return True
    clumps = "".join(_CLUMP.findall(text[:20000]))
    unrussian = len(_RUSSIAN.sub("", clumps))  # Russian words are clumps of Cyrillic too
    return len(clumps) >= 20 and han_count(text) < len(clumps) and unrussian >= len(clumps) / 4


_CLUMP = re.compile(r"[\u00c0-\u024f\u0400-\u04ff]{4,}")
_RUSSIAN = re.compile(r"[\u0410-\u044f\u0401\u0451]")


def han_count(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text[:20000])


def common_han_share(text: str) -> float:
    """Share of Han characters that are among the most common ones (GB2312 level 1 or
    Big5 level 1). A wrong legacy decoding yields mostly rare characters."""
    han = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 0.0
    return sum(map(_is_common_han, han)) / len(han)


def _is_common_han(ch: str) -> bool:
    try:
        if 0xB0 <= ch.encode("gb2312")[0] <= 0xD7:
            return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA440 <= int.from_bytes(ch.encode("big5"), "big") <= 0xC67E
    except UnicodeEncodeError:
        return False


_CONTROL_BYTES = set(range(0, 9)) | set(range(14, 27)) | set(range(28, 32))


def _looks_binary(data: bytes) -> bool:
    """Control bytes a text never has, unless the text is UTF-16/32 without a BOM."""
    sample = data[:8192]
    odd = sum(b in _CONTROL_BYTES for b in sample)
    if odd <= len(sample) * 0.02:
        return False
    guess = _detect(data)
    return guess is None or not guess.startswith("utf_")


def _detect(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return None
    return _DETECTED_ALIASES.get(best.encoding, best.encoding)


def _best_legacy_decoding(
    data: bytes, guess: str | None, *, any_reading: bool = False
) -> tuple[str, str] | None:
    """Try the detector's ``guess`` and the Chinese legacy encodings; keep the most
    Chinese-like of those that do not read as mojibake (``any_reading``: of all, the
    encoding then saying it reads as mojibake)."""
    candidates = [c for c in ("gb18030", "big5hkscs", guess, "utf-16") if c]
    best: tuple[float, str, str] | None = None
    for encoding in dict.fromkeys(candidates):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if not any_reading and _reads_as_mojibake(text):
            continue
        printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text) / max(1, len(text))
        score = printable + common_han_share(text)
        if best is None or score > best[0] + 1e-9:
            best = (score, text, encoding)
    if best is None:
        return None
    mojibake = any_reading and _reads_as_mojibake(best[1])
    return best[1], f"{best[2]} (reads as mojibake)" if mojibake else best[2]


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file whose lines are mostly UTF-8 but some are in a legacy encoding (pasted
    from another page): decode line by line. None when it is not such a file."""
    raw_lines = data.split(b"\n")
    bad = []
    for i, line in enumerate(raw_lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(i)
    if not bad or len(bad) > len(raw_lines) / 2:
        return None
    pasted = b"\n".join(raw_lines[i] for i in bad)
    legacy = _best_legacy_decoding(pasted, _detect(pasted))
    if legacy is None:
        return None
    encoding, bad_set = legacy[1], set(bad)
    lines = [
        line.decode(encoding, errors="replace") if i in bad_set else line.decode("utf-8")
        for i, line in enumerate(raw_lines)
    ]
    return "\n".join(lines), f"utf-8+{encoding}"
