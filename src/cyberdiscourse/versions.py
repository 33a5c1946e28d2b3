"""Versions of one law or document: grouped into families, each version at its own date.

A revised law is a new text: the 2024 保守国家秘密法 holds wording its 1988 text did
not. Two works are versions of one document when their titles name the same document
(the state's name, spacing, punctuation and a trailing "（2018年修正）" aside), they
have one issuer (or neither names one) and their dates differ. One title from two
issuers is two documents (携手构建网络空间命运共同体 is a 2019 concept paper of the World
Internet Conference and a 2022 white paper of the State Council Information Office);
works with one title and one date (the books of the Civil Code, copies) are not
versions of each other.

The build adds ``version_family`` (the earliest version's work id; a work without other
versions is its own family), ``n_versions`` and ``latest_version`` to the works table.
Analyses take every version at its own date (``versions="all"``, the default: wording
is counted when a text held it) or only each family's latest (``"latest"``: today's
law, each counted once).
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import CorpusError, Problem
from .normalise import match_key

VERSIONS = ("all", "latest")
_STATE = re.compile(r"^\s*中华人民共和国")
# A version note ending a title: "（2018年修正）", "(2019修订)", "（第二次修订）", "（2023年版）"
_VERSION_NOTE = re.compile(
    r"[(（]\s*(\d{4}\s*年?)?\s*(第[一二三四五六七八九十]+次)?\s*(修正|修订|修改|版|文本)"
    r"[^()（）]{0,4}[)）]\s*$"
)


def family_key(title: str, issuer: str = "") -> str:
    """What versions of one document share: the title without the state's name and a
    trailing version note, and the issuer, as match keys (empty when the title is too
    short to tell documents apart)."""
    key = match_key(_VERSION_NOTE.sub("", _STATE.sub("", title or "")))
    return f"{key}|{match_key(issuer or '')}" if len(key) >= 3 else ""  # 会计法, not 法规


def add_version_families(works: pd.DataFrame) -> pd.DataFrame:
    """``works`` with ``version_family``, ``n_versions`` and ``latest_version``."""
    out = works.copy()
    if out.empty:
        return out.assign(version_family="", n_versions=1, latest_version=True)
    title = out["title_zh"].where(out["title_zh"] != "", out["title_en"])
    issuer = out["issuer"].fillna("") if "issuer" in out else pd.Series("", index=out.index)
    key = _family_keys(title, issuer)
    dated = out["date"] != ""
    n_dates = out[dated].groupby(key[dated])["date"].nunique()
    versioned = (key != "") & dated & key.map(n_dates).fillna(0).gt(1)
    order = out[versioned].sort_values(["date", "work_id"], kind="stable")
    first = order.groupby(key[versioned])["work_id"].first()
    latest = order.groupby(key[versioned])["date"].max()
    out["version_family"] = out["work_id"].where(~versioned, key.map(first))
    out["n_versions"] = key.map(n_dates).where(versioned, 1).astype(int)
    out["latest_version"] = ~versioned | (out["date"] == key.map(latest))
    return out


def _family_keys(title: pd.Series, issuer: pd.Series) -> pd.Series:
    """Each work's family key. A work whose issuer is not known joins its title's family
    when that title has at most one issuer in the corpus (a text whose header was not
    kept); when it has several, which one cannot be told, and the work stays alone."""
    keys = pd.Series(map(family_key, title, issuer), index=title.index, dtype=object)
    bare = title.map(family_key)
    known = (issuer != "") & (bare != "")
    issuers = keys[known].groupby(bare[known]).unique()
    for i in keys.index[(issuer == "") & (bare != "")]:
        found = issuers.get(bare[i], [])
        if len(found) == 1:
            keys[i] = found[0]  # the title's one issuer
        elif len(found) > 1:
            keys[i] = f"{i}|alone"  # several: which one cannot be told
    return keys


def check_versions(versions: str) -> str:
    if versions not in VERSIONS:
        raise CorpusError(
            Problem(
                "versions",
                "",
                f"{versions!r} is not a choice",
                'use versions="all" (every version at its own date) or "latest"',
            )
        )
    return versions


def select_versions(table: pd.DataFrame, works: pd.DataFrame, versions: str) -> pd.DataFrame:
    """The rows of ``table`` (any table with a ``work_id``) of the chosen versions."""
    if check_versions(versions) == "all" or "latest_version" not in works:
        return table
    keep = set(works.loc[works["latest_version"], "work_id"])
    return table[table["work_id"].isin(keep)].reset_index(drop=True)


def describe_versions(works: pd.DataFrame, versions: str) -> str:
    """One sentence for a report, computed from the works table given (all versions or
    the latest only): which versions the analysis counts and what that means."""
    several = works[works["n_versions"] > 1] if "n_versions" in works else works.iloc[:0]
    if several.empty:
        return "Versions: no document is in the corpus in more than one version."
    families = several["version_family"].nunique()
    if check_versions(versions) == "all":
        return (
            f"Versions: all. {families} document(s) are in the corpus in more than one version "
            f"({len(several)} works); each version is counted at its own date, so wording is "
            "placed when a text held it, and a passage kept across versions counts once per "
            "version."
        )
    left_out = int((several.groupby("version_family")["n_versions"].first() - 1).sum())
    return (
        f"Versions: latest. {families} document(s) are in the corpus in more than one "
        f"version; only the latest of each is counted and {left_out} earlier version(s) are "
        "left out, so earlier years lose the wording those versions held."
    )
