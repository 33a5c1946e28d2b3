"""Execute the numbered notebooks headless (papermill) and render them to HTML (nbconvert)."""

from __future__ import annotations

import re
from pathlib import Path

from .config import REPO_ROOT, outputs_dir_of, resolve_data_dir
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


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = (
    "The interactive explorer runs in JupyterLab with a live kernel; "
    "this report shows the static view instead."
)
REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']https?://[^>]*>\s*</script>", re.I)


def _scrub_text(text: str, replacements: dict[str, str]) -> str:
    for path, name in replacements.items():
        text = text.replace(path, name)
    return text


def _scrub_value(value, replacements: dict[str, str]):
    if isinstance(value, str):
        return _scrub_text(value, replacements)
    if isinstance(value, list):
        return [_scrub_value(v, replacements) for v in value]
    if isinstance(value, dict):
        for key in list(value):
            value[key] = _scrub_value(value[key], replacements)
    return value


def scrub_notebook(nb, replacements: dict[str, str]):
    """Make an executed notebook fit to share: machine paths become ``<data>``,
    ``<repository>`` … in sources and outputs, and widget outputs (which need a kernel
    and scripts from the network) become a short note. Returns ``nb``, changed in place."""
    import nbformat

    ordered = dict(sorted(replacements.items(), key=lambda kv: -len(kv[0])))
    nb.metadata.pop("widgets", None)
    _scrub_value(nb.metadata, ordered)  # papermill records the parameters and paths there
    for cell in nb.cells:
        cell.source = _scrub_text(cell.source, ordered)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                output.data = nbformat.from_dict({"text/plain": WIDGET_NOTE})
                continue
            for key in ("text", "traceback", "evalue"):
                if key in output:
                    output[key] = _scrub_value(output[key], ordered)
            for mime in list(data):
                data[mime] = _scrub_value(data[mime], ordered)
    return nb


def render_html(executed: Path, html_path: Path) -> Path:
    """Render an executed notebook to a standalone HTML report that fetches nothing:
    scripts from the network (require.js, MathJax, widget managers) are left out."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(executed), as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    return write_text(REMOTE_SCRIPT.sub("", body), html_path)


def path_names(parameters: dict) -> dict[str, str]:
    """The machine paths a report must not show, and what it shows instead."""
    names = {str(REPO_ROOT): "<repository>", str(Path.home()): "~"}
    for key, value in parameters.items():
        if isinstance(value, str) and Path(value).is_absolute():
            names[str(Path(value))] = f"<{key.removesuffix('_dir')}>"
    return names


def _scrub_file(executed: Path, replacements: dict[str, str]) -> None:
    import nbformat

    from .io import write_atomic

    nb = scrub_notebook(nbformat.read(str(executed), as_version=4), replacements)
    write_atomic(executed, lambda tmp: nbformat.write(nb, str(tmp)))


def make_reports(
    *,
    notebooks_dir: Path | None = None,
    reports_dir: Path | None = None,
    parameters: dict | None = None,
    only: list[str] | None = None,
) -> list[Path]:
    """Execute every numbered notebook in order and write ``reports/NN_name.{ipynb,html}``."""
    notebooks_dir = Path(notebooks_dir or REPO_ROOT / "notebooks")
    data_dir = resolve_data_dir((parameters or {}).get("data_dir"))
    reports_dir = Path(reports_dir or outputs_dir_of(data_dir, "reports"))
    written = []
    names = path_names(
        {
            **(parameters or {}),
            "reports": str(reports_dir.resolve()),
            "notebooks": str(notebooks_dir.resolve()),
        }
    )
    for nb in list_notebooks(notebooks_dir):
        if only and not any(nb.name.startswith(o) for o in only):
            continue
        executed = run_notebook(nb, reports_dir / nb.name, parameters or {})
        _scrub_file(executed, names)
        written.append(render_html(executed, reports_dir / nb.with_suffix(".html").name))
    return written
