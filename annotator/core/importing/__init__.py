"""Parse uploaded files into documents (and any annotations) to import.

Pure: the input is file names and their bytes; nothing touches disk or the
database. Offsets in the documents produced are Unicode code points, end
exclusive, exactly as stored. One module per source format (``native``,
``doccano``, ``labelstudio``, ``prodigy``, ``brat``, ``conll``) turns a file
into the same ``ImportedDocument`` objects; ``sniff`` recognises formats by
content, ``offsets`` decides how a tool counted, and ``reading`` runs a whole
import's files through them.
"""

from annotator.core.importing.common import (
    MAX_PROBLEMS,
    ImportedAnnotation,
    ImportedDocument,
    ImportFileError,
    ImportProblem,
    derived_id,
    text_sha256,
)
from annotator.core.importing.native import parse_import_file
from annotator.core.importing.native_fast import well_formed_document

__all__ = [
    "MAX_PROBLEMS",
    "ImportFileError",
    "ImportProblem",
    "ImportedAnnotation",
    "ImportedDocument",
    "derived_id",
    "parse_import_file",
    "text_sha256",
    "well_formed_document",
]
