"""The notebooks run headless as part of the tests, on a copy of the seed data."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO

from cyberdiscourse.errors import CorpusError
from cyberdiscourse.report import list_notebooks, make_reports, run_notebook

NOTEBOOKS = REPO / "notebooks"


def test_notebooks_are_stored_without_outputs_and_start_with_parameters():
    notebooks = list_notebooks(NOTEBOOKS)
    assert [p.name for p in notebooks][:1] == ["01_corpus_overview.ipynb"]
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"].get("tags", []), path.name
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), path.name


EXPECTED_FIGURES = {
    "01_corpus_overview": ["works_timeline", "corpus_composition", "discard_ledger"],
    "02_term_frequency": [
        "top_terms_zh",
        "top_terms_en",
        "top_terms_by_work_id",
        "keyness_periods",
        "collocates",
    ],
    "03_topic_models": [
        "k_selection",
        "topic_terms",
        "topic_prevalence",
        "works_topics_heatmap",
        "topic_effects",
        "topic_contrasts",
    ],
    "04_concept_timeline": [
        "concept_timeline",
        "concept_heatmap",
        "dispersion",
        "cooccurrence_network",
    ],
    "05_translation_variants": ["renderings_over_time"],
    "06_formulations_and_reuse": ["formulation_adoption", "reuse_graph"],
    "07_positions_and_actors": [
        "wordfish_positions",
        "wordscores_positions",
        "correspondence_map",
        "actors_named",
        "actors_with_cyber_sovereignty",
    ],
}


def test_all_notebooks_run_in_order_and_write_figures_and_html(seed_copy, tmp_path):
    figures, reports = tmp_path / "figures", tmp_path / "reports"
    written = make_reports(
        notebooks_dir=NOTEBOOKS,
        reports_dir=reports,
        parameters={"data_dir": str(seed_copy), "figures_dir": str(figures)},
    )
    assert [p.name for p in written] == [f"{nb}.html" for nb in EXPECTED_FIGURES]
    html = written[0].read_text(encoding="utf-8")
    assert "Corpus overview" in html and html.count("data:image/png") >= 3
    assert "scio-white-paper-2022" in html
    html = written[1].read_text(encoding="utf-8")
    assert "Term frequency" in html and html.count("data:image/png") >= 6
    assert "网络主权" in html
    for notebook, stems in EXPECTED_FIGURES.items():
        made = {p.name for p in (figures / notebook).iterdir()}
        for stem in stems:
            assert {f"{stem}.{ext}" for ext in ("pdf", "svg", "png", "csv")} <= made, stem
            caption = (figures / notebook / f"{stem}.caption.txt").read_text(encoding="utf-8")
            assert "Unit: " in caption, stem
        assert not any(name.startswith("wordcloud") for name in made)  # not a paper figure
    html = written[2].read_text(encoding="utf-8")
    assert "Topic models with evidence" in html and "k = " in html
    html = written[3].read_text(encoding="utf-8")
    assert "Concept timelines" in html and "003_9bf46ce2aec8518c.txt:36" in html
    assert (figures / "04_concept_timeline" / "cooccurrence_network.graphml").is_file()
    explorer = html.split("cd-static-explorer", 1)[1]
    assert explorer.count("<details") == 23  # every concept of the lexicon
    assert "cyber sovereignty 网络主权</b> — 20 mentions in 6 of 6 works" in explorer
    assert "download all 20 lines as CSV" in explorer
    html = written[4].read_text(encoding="utf-8")
    assert "sovereignty in information space" in html
    html = written[6].read_text(encoding="utf-8")
    assert "Positions and actors" in html and "Wordfish placed 6 works" in html
    assert "Grouped by period: 3 spans" in html and "No judged sample" in html
    for page in written:
        text = page.read_text(encoding="utf-8")
        for machine_path in (str(seed_copy), str(tmp_path), str(REPO)):
            assert machine_path not in text, (page.name, machine_path)
        assert '<script src="http' not in text and "<script src='http" not in text, page.name
        executed = json.loads(page.with_suffix(".ipynb").read_text(encoding="utf-8"))
        outputs = [o for c in executed["cells"] for o in c.get("outputs", [])]
        assert not any(
            "application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs
        ), page.name
        for machine_path in (str(seed_copy), str(tmp_path), str(REPO)):
            assert machine_path not in page.with_suffix(".ipynb").read_text(encoding="utf-8")
    injected = next(
        c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    assert 'data_dir = "<data>"' in "".join(injected["source"])
    assert (seed_copy / "processed" / "works.parquet").is_file()
    assert list((seed_copy / "processed" / "tokens").glob("*/*.parquet"))


def test_failing_cell_names_notebook_and_cell(tmp_path):
    bad = tmp_path / "01_bad.ipynb"
    shutil.copy(NOTEBOOKS / "01_corpus_overview.ipynb", bad)
    with pytest.raises(CorpusError) as err:
        run_notebook(
            bad, tmp_path / "out" / "01_bad.ipynb", {"data_dir": str(tmp_path / "nowhere")}
        )
    msg = str(err.value)
    assert "01_bad.ipynb, cell" in msg and "CorpusError" in msg
    assert Path(tmp_path / "out" / "01_bad.ipynb").is_file()


def test_a_hanging_cell_fails_the_run_instead_of_blocking_it(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "09_sleep.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(CorpusError, match="09_sleep.ipynb: a cell ran longer than 3 s"):
        run_notebook(path, tmp_path / "out" / path.name, {}, timeout=3)


def test_report_draws_the_figures_for_the_journal_slot_asked(seed_copy, tmp_path):
    """``cyberdiscourse report --figure-width column`` passes the width to the notebooks:
    every PNG is at most 3.5 in wide at 300 dpi, and full-width figures are exactly that."""
    from PIL import Image

    from cyberdiscourse.cli import main

    figures, reports = tmp_path / "figures", tmp_path / "reports"
    args = ["report", "--data-dir", str(seed_copy), "--only", "01", "--figure-width", "column"]
    assert main([*args, "--figures-dir", str(figures), "--reports-dir", str(reports)]) == 0
    widths = {p.stem: Image.open(p).size[0] for p in (figures / "01_corpus_overview").glob("*.png")}
    assert set(widths) == set(EXPECTED_FIGURES["01_corpus_overview"])
    assert max(widths.values()) == round(3.5 * 300) and min(widths.values()) > 0.9 * 3.5 * 300
    executed = json.loads((reports / "01_corpus_overview.ipynb").read_text(encoding="utf-8"))
    injected = next(
        c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    assert 'figure_width = "column"' in "".join(injected["source"])


def test_every_notebook_runs_with_undated_and_year_only_works(seed_copy, tmp_path):
    """A researcher's corpus has works without a date and works dated by a year: analyses
    that need no date keep them, the others leave them out and say how many and which."""
    from cyberdiscourse.corpus import build
    from cyberdiscourse.curate import add_captures

    text = "各国应当尊重网络主权，推动构建网络空间命运共同体，促进数据安全有序流动。"
    undated, year_only = tmp_path / "undated.txt", tmp_path / "year-only.txt"
    undated.write_text(f"关于网络空间治理的思考\n\n{text}\n\n{text[::-1]}\n", encoding="utf-8")
    year_only.write_text(f"网络安全观察\n\n{text}\n\n关键信息基础设施安全。\n", encoding="utf-8")
    add_captures(seed_copy, [undated])
    add_captures(seed_copy, [year_only], date="2018")
    build(seed_copy, n_jobs=1)
    figures, reports = tmp_path / "figures", tmp_path / "reports"
    written = make_reports(
        notebooks_dir=NOTEBOOKS,
        reports_dir=reports,
        parameters={"data_dir": str(seed_copy), "figures_dir": str(figures)},
    )
    assert len(written) == len(EXPECTED_FIGURES)
    html = (reports / "02_term_frequency.html").read_text(encoding="utf-8")
    assert "1 work(s) have no date and are left out of the comparison of periods" in html
    left_out = (figures / "02_term_frequency" / "tables" / "undated_works.csv").read_text(
        encoding="utf-8"
    )
    assert "guanyu-wangluo-kongjian" in left_out or "关于网络空间治理的思考" in left_out
    for notebook, stems in EXPECTED_FIGURES.items():
        for stem in stems:
            assert (figures / notebook / f"{stem}.png").is_file(), (notebook, stem)


def test_two_corpora_write_their_reports_and_figures_to_two_places(tmp_path):
    """``report --data-dir D`` writes under D; the repository's corpus keeps its places."""
    from cyberdiscourse.cli import main
    from cyberdiscourse.config import REPO_ROOT, outputs_dir_of

    corpora = [tmp_path / name / "data" for name in ("laws", "crawl")]
    for data in corpora:
        shutil.copytree(REPO / "data" / "raw", data / "raw")
        assert main(["report", "--data-dir", str(data), "--only", "01"]) == 0
    for data in corpora:
        assert (data / "reports" / "01_corpus_overview.html").is_file()
        pngs = {p.name for p in (data / "figures" / "01_corpus_overview").glob("*.png")}
        assert pngs == {f"{stem}.png" for stem in EXPECTED_FIGURES["01_corpus_overview"]}
    assert outputs_dir_of(REPO_ROOT / "data", "figures") == REPO_ROOT / "figures"
    assert outputs_dir_of(corpora[0], "reports") == corpora[0].resolve() / "reports"


def test_term_frequency_runs_when_every_work_falls_after_the_period_boundary(seed_copy, tmp_path):
    """A crawler's month sits wholly after the default boundary: keyness and the word clouds
    say there is nothing before it instead of failing."""
    from cyberdiscourse.corpus import build

    build(seed_copy, n_jobs=1)
    figures, reports = tmp_path / "figures", tmp_path / "reports"
    (written,) = make_reports(
        notebooks_dir=NOTEBOOKS,
        reports_dir=reports,
        parameters={
            "data_dir": str(seed_copy),
            "figures_dir": str(figures),
            "period_boundary": 1990,
        },
        only=["02"],
    )
    html = written.read_text(encoding="utf-8")
    assert "Every dated work falls on one side of 1990: no keyness by period" in html
    assert not (figures / "02_term_frequency" / "keyness_periods.png").exists()
    assert (figures / "02_term_frequency" / "top_terms_zh.png").is_file()
