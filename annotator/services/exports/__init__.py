"""Writing exports: the only code that touches the export folder.

A project is read in batches of documents from one snapshot (``reading``),
turned into the records of the chosen layer (``records``: one per document
and annotator at the annotators layer) and streamed through a core writer into
files under the export's folder (``disk``), then described by a manifest and a
dataset card (``manifest``). Offsets are code points, end exclusive, as stored.

Each export gets a folder of its own, ``<export dir>/<project slug>/<UTC
timestamp>-<format>/`` (or the caller's ``out_dir``). Every file is written to
a hidden temporary name, fsynced and moved into place with ``os.replace``; the
manifest comes last, so a folder without ``manifest.json`` is never a finished
export. If anything fails, the folder and everything in it is removed.

The same options on the same data give byte-identical data files, dataset card
and manifest: stable ordering and no clock anywhere but the folder name.
"""

from annotator.services.exports.archive import Archive, export_archive
from annotator.services.exports.disk import project_folder_name
from annotator.services.exports.listing import (
    ExportSummary,
    archive_name,
    data_files,
    export_file,
    export_summary,
    list_exports,
    read_manifest,
)
from annotator.services.exports.manifest import dataset_card
from annotator.services.exports.options import (
    OPTION_KEYS,
    settings_from_json,
    settings_to_json,
)
from annotator.services.exports.reading import BATCH_SIZE, Progress, count_documents
from annotator.services.exports.records import EXCLUSION_REASONS
from annotator.services.exports.settings import (
    LAYERS,
    NO_GOLD,
    STATUSES,
    ExportSettings,
    OptionRefused,
    parse_labels,
    parse_ratios,
)
from annotator.services.exports.writing import ExportResult, write_export

__all__ = [
    "BATCH_SIZE",
    "EXCLUSION_REASONS",
    "LAYERS",
    "NO_GOLD",
    "OPTION_KEYS",
    "STATUSES",
    "Archive",
    "ExportResult",
    "ExportSettings",
    "ExportSummary",
    "OptionRefused",
    "Progress",
    "archive_name",
    "count_documents",
    "data_files",
    "dataset_card",
    "export_archive",
    "export_file",
    "export_summary",
    "list_exports",
    "parse_labels",
    "parse_ratios",
    "project_folder_name",
    "read_manifest",
    "settings_from_json",
    "settings_to_json",
    "write_export",
]
