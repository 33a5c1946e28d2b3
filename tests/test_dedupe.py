from cyberdiscourse.dedupe import Fragment, merge_copies, near_duplicates


def frags(doc, items):
    return [Fragment(doc, i, lang, text, False) for i, (lang, text) in enumerate(items, 1)]


def test_shared_paragraphs_kept_once_and_copies_fill_gaps_in_order():
    full = frags(
        "full", [("zh", "第一段,内容甲。"), ("zh", "第二段,内容乙。"), ("zh", "第三段,内容丙。")]
    )
    bilingual = frags(
        "bi",
        [
            ("zh", "第二段，内容乙"),
            ("en", "Paragraph two, content B."),
            ("zh", "第三段 内容丙。"),
            ("en", "Paragraph three."),
        ],
    )
    merged = merge_copies([full, bilingual])
    assert [f.text for f in merged] == [
        "第一段,内容甲。",
        "第二段,内容乙。",
        "Paragraph two, content B.",
        "第三段,内容丙。",
        "Paragraph three.",
    ]
    assert bilingual[0].duplicate_of is full[1]
    assert bilingual[2].duplicate_of is full[2]


def test_truncated_copy_matches_the_full_paragraph():
    long = "中国致力于与国际社会各方建立广泛的合作伙伴关系,积极拓展与其他国家的网络事务对话机制。"
    a = frags("a", [("zh", long)])
    b = frags("b", [("zh", long[:30])])
    assert len(merge_copies([a, b])) == 1
    assert b[0].duplicate_of is a[0]


def test_near_duplicates_exact_and_near_across_groups_only():
    s = "各国应在相互尊重的基础上加强网络空间国际合作,共同构建和平安全开放合作有序的网络空间。"
    items = [
        ("w1", "p1", s),
        ("w2", "p2", s.replace(",", ",")),
        ("w3", "p3", s.replace("有序的", "有序之")),
        ("w1", "p4", s),
        ("w4", "p5", "完全不同的一段文字,讲述数字经济与贸易规则的发展前景以及合作。"),
    ]
    found = {(a, b): kind for a, b, kind, _ in near_duplicates(items)}
    assert found[("p1", "p2")] == "exact"
    assert found[("p1", "p3")] == "near"
    assert ("p1", "p4") not in found  # same work
    assert not any("p5" in pair for pair in found)


def test_near_duplicates_agree_with_a_brute_force_count_on_real_text(seed_corpus):
    """Every pair at Jaccard >= 0.8 is found and nothing below it is reported."""
    import random

    from cyberdiscourse.dedupe import _shingles
    from cyberdiscourse.normalise import match_key

    rng = random.Random(7)
    zh = [t for t in seed_corpus.paragraphs["text"] if len(match_key(t)) >= 40][:150]
    items = [("orig", f"o{i}", t) for i, t in enumerate(zh)]
    for i, t in enumerate(zh):  # edited copies in another work: 1 to 12 characters changed
        chars = list(t)
        for _ in range(rng.randint(1, 12)):
            chars[rng.randrange(len(chars))] = "某"
        items.append(("copy", f"c{i}", "".join(chars)))
    shingles = {i: _shingles(match_key(t)) for _, i, t in items}
    expected = set()
    for _, a, _ in items[: len(zh)]:
        for _, b, _ in items[len(zh) :]:
            sim = len(shingles[a] & shingles[b]) / len(shingles[a] | shingles[b])
            if sim >= 0.8:
                expected.add(tuple(sorted((a, b))))
    found = {(a, b) for a, b, _, _ in near_duplicates(items)}
    assert len(expected) > 60
    assert found == expected


def test_a_paragraph_a_copy_repeats_is_kept_and_another_copys_is_merged():
    item = "（一）依法追究刑事责任；"

    def copy(doc: str) -> list[Fragment]:
        texts = ["第十条 违反本法规定的：", item, "第十一条 拒不改正的：", item]
        return [Fragment(doc, n, "zh", t, False) for n, t in enumerate(texts, start=1)]

    first, second = copy("a"), copy("b")
    merged = merge_copies([first, second])
    assert [f.text for f in merged].count(item) == 2  # the law's own repeat
    assert all(f.duplicate_of is not None for f in second)  # the other copy adds nothing


def test_pairs_within_buckets_are_numpys_upper_triangles():
    import numpy as np

    from cyberdiscourse.dedupe import _pairs_within

    starts, sizes = [0, 7, 20], [3, 5, 2]
    first, second = _pairs_within(starts, sizes)
    expected = [
        (s + i, s + j) for s, m in zip(starts, sizes) for i, j in zip(*np.triu_indices(m, 1))
    ]
    assert list(zip(first.tolist(), second.tolist())) == expected
    assert len(expected) == 3 + 10 + 1
    empty = _pairs_within([], [])
    assert len(empty[0]) == len(empty[1]) == 0
