"""Each discard reason checked on real pages nobody here wrote (``shared/corpora/real_captures``).

Every capture is added with its gold title and built; then every ``must_include`` string
of the gold (text the page's reader would call the document) that did not reach the
paragraphs is traced to the reason of the line it was on. The line rules may lose main
text only where the numbers below say, each case named.
"""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import REAL_CAPTURES, needs_real_captures

from cyberdiscourse.corpus import build
from cyberdiscourse.curate import add_capture
from cyberdiscourse.evaluate import load_gold, lost_text, score_documents, work_id_for

pytestmark = needs_real_captures


def _ingest(folder, data):
    records = load_gold(REAL_CAPTURES / folder)
    for record in records:
        add_capture(data, record["path"], title=record["title"], work_id=work_id_for(record))
    build(data, n_jobs=1)
    return records


@pytest.fixture(scope="module", params=["html_pages", "markdown_captures", "law_texts"])
def folder_result(request, tmp_path_factory):
    data = tmp_path_factory.mktemp(request.param) / "data"
    records = _ingest(request.param, data)
    return request.param, score_documents(data, records), lost_text(data, records)


def test_line_rules_lose_no_main_text_except_the_named_cases(folder_result):
    folder, scores, lost = folder_result
    by_reason = Counter(r for reasons in lost["reasons"] for r in reasons.split(";") if r)
    # Every gold main-text string reaches the paragraphs: neither a line rule nor the
    # main-text decision of the extractors (reason not_main_text) removed one.
    assert dict(by_reason) == {}
    assert scores["n_include"].sum() > 90


def test_the_readers_lose_no_main_text(folder_result):
    """Strings missing from the capture as read would be the reader's loss (a page that
    libxml2 misparses lost its whole article before pages were repaired as HTML5)."""
    folder, scores, lost = folder_result
    assert lost[lost["reasons"] == ""].empty
    assert scores["n_found"].sum() == scores["n_include"].sum()
