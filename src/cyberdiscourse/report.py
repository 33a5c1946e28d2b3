"""Execute the numbered notebooks headless (papermill) and render them to HTML (nbconvert)."""

from __future__ import annotations

import re
from pathlib import Path

from .config import REPO_ROOT
from .errors import CorpusError, Problem
from .io import write_text

CELL_TIMEOUT = 1200  # seconds: a cell that hangs fails the run instead of blocking it
NOTEBOOK_NAME = re.compile(r"^\d{2}_.+\.ipynb$")


def list_notebooks(notebooks_dir: Path) -> list[Path]:
    """The ordered notebooks ``NN_name.ipynb`` of a folder."""
    return sorted(p for p in Path(notebooks_dir).iterdir() if NOTEBOOK_NAME.match(p.name))


def run_notebook(
    notebook: Path, output: Path, parameters: dict, *, timeout: int = CELL_TIMEOUT
) -> Path:
    """Execute one notebook with papermill into ``output``.

    Raises
    ------
    CorpusError
        Naming the notebook, the failing cell and the error, if a cell fails.
    """
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        pm.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(notebook.parent),
            log_output=False,
            execution_timeout=timeout,
        )
    except TimeoutError as exc:
        raise CorpusError(
            Problem(
                str(notebook),
                "",
                f"a cell ran longer than {timeout} s: {exc}",
                f"open {output} to see which cell",
            )
        ) from None
    except PapermillExecutionError as exc:
        raise CorpusError(
            Problem(
                str(notebook),
                f"cell {exc.exec_count}",
                f"{exc.ename}: {exc.evalue}",
                f"open {output} to see the full traceback of that cell",
            )
        ) from None
    return output


def render_html(executed: Path, html_path: Path) -> Path:
    """Render an executed notebook to a standalone HTML report."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    return write_text(body, html_path)


def make_reports(
    *,
    notebooks_dir: Path | None = None,
    reports_dir: Path | None = None,
    parameters: dict | None = None,
    only: list[str] | None = None,
) -> list[Path]:
    """Execute every numbered notebook in order and write ``reports/NN_name.{ipynb,html}``."""
    notebooks_dir = Path(notebooks_dir or REPO_ROOT / "notebooks")
    reports_dir = Path(reports_dir or REPO_ROOT / "reports")
    written = []
    for nb in list_notebooks(notebooks_dir):
        if only and not any(nb.name.startswith(o) for o in only):
            continue
        executed = run_notebook(nb, reports_dir / nb.name, parameters or {})
        written.append(render_html(executed, reports_dir / nb.with_suffix(".html").name))
    return written
