"""cyberdiscourse: a corpus lab for China's official discourse on cyberspace governance."""

from .corpus import Corpus, build, build_corpus, load_processed, write_processed
from .errors import CorpusError, Problem

__version__ = "0.1.0"
__all__ = [
    "Corpus",
    "CorpusError",
    "Problem",
    "build",
    "build_corpus",
    "load_processed",
    "write_processed",
    "__version__",
]
