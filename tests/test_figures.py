"""Every paper figure, drawn from the seed corpus at every width preset: the 6-pt minimum,
text inside the canvas, captions that name unit and N, and the plot contract."""

from __future__ import annotations

import inspect
import pkgutil
from importlib import import_module

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import cyberdiscourse
from cyberdiscourse import actors as ac
from cyberdiscourse import concepts as cc
from cyberdiscourse import correspondence as ca
from cyberdiscourse import formulations as fm
from cyberdiscourse import frequency as fq
from cyberdiscourse import overview, plotting
from cyberdiscourse import reuse as ru
from cyberdiscourse import scaling as sc
from cyberdiscourse import topics as tp
from cyberdiscourse.explore import textplot_terms, textstat_terms
from cyberdiscourse.lexicon import load_glossary, load_lexicon
from cyberdiscourse.tokens import tokenize

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def inputs(seed_corpus):
    """The tables each figure is drawn from, computed once from the seeds."""
    lexicon = load_lexicon()
    works, paragraphs = seed_corpus.works, seed_corpus.paragraphs
    included = works[works["include"]]
    tokens = fq.add_groups(tokenize(paragraphs, lexicon, n_jobs=1), included, period_boundary=2019)
    zh = tokens[tokens["lang"] == "zh"]
    stats = cc.textstat_concepts(paragraphs, works, lexicon, n_boot=50)
    dtm = tp.build_dtm(tokens, lang="zh", min_df=2, max_df=0.5)
    model = tp.fit_topics(dtm, 3, engine="sklearn", random_state=0)
    other = tp.fit_topics(dtm, 3, engine="sklearn", random_state=1)
    selection = tp.select_k(dtm, [2, 3], seeds=[0, 1], engine="sklearn", widen=False)
    streams = fq.token_streams(paragraphs, lexicon, lang="zh")
    collocates = fq.textstat_collocates(
        streams,
        lexicon.forms_of("cyber_sovereignty"),
        window=5,
        min_count=1,
        stopwords=lexicon.zh_stopwords,
    )
    later = (zh["period"] == "2019 and after").to_numpy()
    reused = ru.textstat_reuse(paragraphs, works, min_chars=20)
    found = fm.textstat_formulations(paragraphs, works, min_works=2, lexicon=lexicon)
    pairs = seed_corpus.aligned_pairs
    variants, _ = cc.translation_variants(paragraphs, pairs, works, lexicon)
    dated = sorted(works.loc[works["date"] != "", "work_id"])
    fish = sc.textmodel_wordfish(sc.work_term_matrix(tokens, works=dated))
    group, groups, _ = ca.choose_grouping(works)
    counts, group_of = ca.group_term_counts(
        tokens[tokens["work_id"].isin(groups.index)],
        works.assign(**{group: works["work_id"].map(groups)}),
        group,
        n_terms=30,
    )
    gazetteer = ac.load_gazetteer()
    return {
        "lexicon": lexicon,
        "works": overview.textstat_works(works),
        "discarded": seed_corpus.discarded,
        "freq": fq.textstat_frequency(zh),
        "by_work": fq.textstat_frequency(zh, groups="work_id", n=8),
        "keyness": fq.textstat_keyness(zh, later, min_count=3),
        "collocates": collocates,
        "stats": stats,
        "disp": cc.dispersion(paragraphs, cc.term_hits(paragraphs, "cyber_sovereignty", lexicon)),
        "graph": cc.cooccurrence_network(tokens, lexicon, top_terms=15, min_count=3),
        "model": model,
        "selection": selection,
        "prevalence": tp.textstat_prevalence(model, dtm, works, n_boot=50, models=[other]),
        "effects": tp.estimate_effect(model, dtm, works, models=[other], df=3, n_draws=50),
        "timeline": fm.formulation_timeline(
            paragraphs, works, found.head(8)["formulation"].tolist()
        ),
        "reuse_graph": ru.reuse_graph(reused, works),
        "reuse_flows": ru.textstat_reuse_flows(reused, works, "year"),
        "variants": variants,
        "coverage": cc.translation_coverage(paragraphs, pairs, works, lexicon, variants=variants),
        "terms": textstat_terms(paragraphs, works, ["网络主权", "数据安全"], lexicon, n_boot=20),
        "scale": sc.textstat_scale(fish, works),
        "ca": ca.textmodel_ca(counts, group_of, group=group, n_boot=30),
        "actors": ac.textstat_actors(paragraphs, works, gazetteer),
        "actor_pairs": ac.textstat_actor_concepts(paragraphs, works, lexicon, gazetteer),
    }


def gallery(t):
    """name -> (textplot function, positional inputs, options), as the notebooks call them."""
    concepts = ["cyber_sovereignty", "community_shared_future", "cyber_community_shared_future"]
    ledger = overview.textstat_ledger(t["discarded"], 5000)
    return {
        "works_timeline": (overview.textplot_timeline, [t["works"]], {}),
        "corpus_composition": (
            overview.textplot_composition,
            [overview.textstat_composition(t["works"])],
            {},
        ),
        "discard_ledger": (overview.textplot_ledger, [ledger], {}),
        "top_terms": (fq.textplot_top_terms, [t["freq"]], {"n": 20}),
        "terms_by_group": (fq.textplot_terms_by_group, [t["by_work"], "work_id"], {"n": 8}),
        "keyness": (fq.textplot_keyness, [t["keyness"]], {"n": 15}),
        "collocates": (fq.textplot_collocates, [t["collocates"]], {"n": 12}),
        "wordcloud": (fq.textplot_wordcloud, [t["freq"]], {}),
        "concept_timeline": (cc.textplot_timeline, [t["stats"], concepts], {}),
        "concept_heatmap": (cc.textplot_heatmap, [t["stats"]], {}),
        "dispersion": (cc.textplot_dispersion, [t["disp"], list(t["works"]["work_id"])], {}),
        "network": (cc.textplot_network, [t["graph"]], {}),
        "k_selection": (tp.textplot_selection, [t["selection"]], {"chosen": 3}),
        "topic_terms": (tp.textplot_topic_terms, [t["model"]], {"n": 8}),
        "topic_prevalence": (tp.textplot_prevalence, [t["prevalence"]], {}),
        "topic_heatmap": (tp.textplot_topic_heatmap, [t["prevalence"]], {}),
        "topic_effects": (tp.textplot_effects, [t["effects"]], {}),
        "topic_contrasts": (tp.textplot_contrasts, [t["effects"]], {}),
        "renderings": (
            cc.textplot_renderings,
            [t["variants"]],
            {"concepts": ["cyber_sovereignty", "cyberspace"], "coverage": t["coverage"]},
        ),
        "formulations": (fm.textplot_formulations, [t["timeline"]], {}),
        "reuse": (ru.textplot_reuse, [t["reuse_graph"]], {}),
        "reuse_flows": (ru.textplot_reuse_flows, [t["reuse_flows"]], {}),
        "terms_timeline": (textplot_terms, [t["terms"]], {}),
        "scale_by_position": (sc.textplot_scale, [t["scale"]], {}),
        "scale_by_date": (sc.textplot_scale, [t["scale"]], {"order": "date"}),
        "correspondence_map": (ca.textplot_ca, [t["ca"]], {}),
        "actors": (ac.textplot_actors, [t["actors"]], {}),
        "actors_with_a_concept": (
            ac.textplot_actor_concepts,
            [t["actor_pairs"], "cyber_sovereignty"],
            {},
        ),
    }


def draw(entry, **target):
    fn, args, kwargs = entry
    return fn(*args, **kwargs, **target)


def visible_texts(fig):
    """The texts a reader sees: visible, not empty, not on a hidden (spare) panel, and of
    the tick labels only those matplotlib draws (the ticks within the axis limits)."""
    tick_labels, drawn_ticks = set(), []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels |= {id(tick.label1), id(tick.label2)}
            if ax.get_visible() and ax.axison and axis.get_visible():
                for tick in axis._update_ticks():  # the ticks a draw renders
                    drawn_ticks += [x for x in (tick.label1, tick.label2) if x.get_visible()]
    others = [
        x
        for x in fig.findobj(matplotlib.text.Text)
        if id(x) not in tick_labels and x.get_visible() and (x.axes is None or x.axes.get_visible())
    ]
    return [x for x in others + drawn_ticks if x.get_text().strip()]


@pytest.mark.parametrize("width", sorted(plotting.WIDTHS.values()))
def test_every_text_is_at_least_6_pt_and_inside_the_figure_at_every_preset(inputs, width):
    plotting.set_width(width)
    plotting.use_glossary(load_glossary())
    small, outside = [], []
    try:
        for name, entry in gallery(inputs).items():
            fig = plotting.figure_of(draw(entry))
            assert fig.get_figwidth() <= width + 1e-9, (name, fig.get_figwidth())
            fig.canvas.draw()
            canvas = fig.bbox.padded(2)  # 2 px of slack for anti-aliasing
            for text in visible_texts(fig):
                if text.get_fontsize() < plotting.MIN_FONT_PT:
                    small.append((name, text.get_text()[:20], text.get_fontsize()))
                box = text.get_window_extent()
                if not (canvas.contains(box.x0, box.y0) and canvas.contains(box.x1, box.y1)):
                    outside.append((name, text.get_text()[:20], tuple(np.round(box.extents))))
            plt.close(fig)
    finally:
        plotting.set_width("page")
        plotting.use_glossary({})
    assert not small, small
    assert not outside, "\n".join(map(str, outside))


def test_a_caption_file_names_what_unit_and_n_beside_each_figure(inputs, tmp_path):
    saver = plotting.FigureSaver("99_gallery", tmp_path)
    for name, entry in gallery(inputs).items():
        if name == "wordcloud":  # for exploring, not a paper figure
            continue
        paths = saver(draw(entry), name, data=pd.DataFrame({"x": [1]}))
        plt.close("all")
        caption = paths["caption"].read_text(encoding="utf-8")
        assert "Unit: " in caption, name
        assert f"Data: {name}.csv." in caption
        if name not in {"discard_ledger", "topic_terms"}:  # not about documents
            assert "N = " in caption and " documents." in caption, (name, caption)
    timeline = (tmp_path / "99_gallery" / "concept_timeline.caption.txt").read_text()
    assert "N = 6 documents" in timeline and "Poisson" in timeline and "marker shape" in timeline


def textplot_functions():
    found = {}
    for info in pkgutil.iter_modules(cyberdiscourse.__path__):
        if info.name == "__main__":  # importing it runs the command line
            continue
        module = import_module(f"cyberdiscourse.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("textplot_") and fn.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = fn
    return found


def test_every_textplot_takes_ax_or_fig_as_a_keyword():
    functions = textplot_functions()
    assert len(functions) >= 20
    for name, fn in functions.items():
        params = inspect.signature(fn).parameters
        target = params.get("ax") or params.get("fig")
        assert target is not None, f"{name} takes neither ax= nor fig="
        assert target.kind is inspect.Parameter.KEYWORD_ONLY and target.default is None, name


def test_every_textplot_draws_on_the_axes_or_figure_it_is_given_and_returns_it(inputs):
    entries = gallery(inputs)
    drawn_by = {entry[0] for entry in entries.values()}
    assert set(textplot_functions().values()) <= drawn_by  # the gallery covers them all
    for name, entry in entries.items():
        params = inspect.signature(entry[0]).parameters
        if "ax" in params:
            ncols = 2 if name == "corpus_composition" else 1
            fig, ax = plotting.new_figure("two_column", ncols=ncols)
            returned = draw(entry, ax=ax)
            assert np.all(np.atleast_1d(returned) == np.atleast_1d(ax)), name
            assert fig.axes and all(a.figure is fig for a in np.atleast_1d(returned))
        else:
            fig = plt.figure()
            returned = draw(entry, fig=fig)
            assert plotting.figure_of(returned) is fig, name
            assert len(fig.axes) >= 1
        plt.close("all")


def test_svg_text_is_editable_when_asked_and_paths_by_default(tmp_path):
    fig, ax = plotting.new_figure("one_column")
    ax.set_title("网络主权 cyber sovereignty")
    data = pd.DataFrame({"x": [1]})
    default = plotting.save_figure(fig, "a", data=data, notebook="nb", figures_dir=tmp_path)
    editable = plotting.save_figure(
        fig, "b", data=data, notebook="nb", figures_dir=tmp_path, editable_svg=True
    )
    assert "<text" not in default["svg"].read_text(encoding="utf-8")
    svg = editable["svg"].read_text(encoding="utf-8")
    assert "网络主权 cyber sovereignty" in svg and plotting.FONT_NAME in svg


def test_the_saver_knows_its_notebook_and_can_be_switched_off(tmp_path):
    fig, _ = plotting.new_figure("one_column")
    on = plotting.FigureSaver("07_x", tmp_path)
    assert on(fig, "f", data=pd.DataFrame({"x": [1]}))["png"].parent == tmp_path / "07_x"
    off = plotting.FigureSaver("07_y", tmp_path, save=False)
    assert off(fig, "f", data=pd.DataFrame({"x": [1]})) == {}
    assert not (tmp_path / "07_y").exists()


def test_width_presets_and_glosses():
    try:
        assert plotting.set_width("medium") == 5.3
        fig, _ = plotting.new_figure("two_column")
        assert fig.get_figwidth() == 5.3
        fig, _ = plotting.new_figure("one_column")
        assert fig.get_figwidth() == 3.5
        with pytest.raises(ValueError, match="width must be one of"):
            plotting.set_width(6.0)
        plotting.use_glossary(load_glossary())
        assert plotting.gloss("网络主权") == "网络主权 (cyber sovereignty)"
        assert plotting.gloss("合作") == "合作 (cooperation)"
        assert plotting.gloss("两国") == "两国"
    finally:
        plotting.set_width("page")
        plotting.use_glossary({})
        plt.close("all")
