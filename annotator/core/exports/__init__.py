"""Export formats: pure, streaming writers behind a registry.

No disk, no Flask, no SQLAlchemy: ``services/exports.py`` builds
``ExportDocument`` objects, opens the files and writes the manifest (see
``base`` for how it calls a writer). Importing this package registers the
built-in formats.
"""

from annotator.core.exports.base import (
    DEFAULT_OPTIONS,
    NO_ATTRIBUTES,
    REASONS,
    ByteSink,
    ExportDocument,
    ExportFormat,
    ExportInputError,
    ExportLink,
    ExportOptions,
    ExportSpan,
    FormatStats,
    Output,
)
from annotator.core.exports.conll import CONLL
from annotator.core.exports.doccano import DOCCANO
from annotator.core.exports.extras import ExportUnavailableError
from annotator.core.exports.hf_bio import HF_BIO
from annotator.core.exports.jsonl import JSONL
from annotator.core.exports.labelstudio import LABEL_STUDIO
from annotator.core.exports.registry import (
    FORMATS,
    UnknownFormatError,
    format_names,
    get_format,
    register,
)
from annotator.core.exports.semeval_tsv import SEMEVAL_TSV
from annotator.core.exports.spacy_docbin import SPACY_DOCBIN
from annotator.core.exports.spacy_spans import SPACY

for _fmt in (
    JSONL,
    SPACY,
    HF_BIO,
    DOCCANO,
    SEMEVAL_TSV,
    CONLL,
    SPACY_DOCBIN,
    LABEL_STUDIO,
):
    register(_fmt)

__all__ = [
    "DEFAULT_OPTIONS",
    "FORMATS",
    "NO_ATTRIBUTES",
    "REASONS",
    "ByteSink",
    "ExportDocument",
    "ExportFormat",
    "ExportInputError",
    "ExportLink",
    "ExportOptions",
    "ExportSpan",
    "ExportUnavailableError",
    "FormatStats",
    "Output",
    "UnknownFormatError",
    "format_names",
    "get_format",
    "register",
]
