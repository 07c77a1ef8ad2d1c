"""``write_export``: the export use case, from the settings to a finished
folder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from annotator.core.exports import ExportInputError
from annotator.models import Project
from annotator.services import collector, pseudonyms, queue_order
from annotator.services.errors import ServiceError, rolls_back
from annotator.services.exports.disk import (
    FolderOutput,
    claim_out_dir,
    fsync_folder,
    remove_export,
    reserve_folder,
    write_file,
)
from annotator.services.exports.manifest import (
    CARD_NAME,
    MANIFEST_NAME,
    dataset_card,
    manifest,
    manifest_bytes,
)
from annotator.services.exports.reading import (
    Progress,
    count_documents,
    project_has_links,
    require_gold,
)
from annotator.services.exports.records import Names, Tally, export_documents
from annotator.services.exports.settings import (
    ExportSettings,
    Plan,
    make_plan,
    settle_doccano_shape,
)


@dataclass(frozen=True, slots=True)
class ExportResult:
    folder: Path
    manifest: dict[str, Any]


def begin_snapshot(session: Session) -> None:
    """Read the whole export from one snapshot of the database."""
    session.rollback()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    elif dialect == "sqlite":
        # pysqlite opens no transaction for reads; WAL keeps writers going.
        session.connection().exec_driver_sql("BEGIN")


def _snapshot_with_names(
    session: Session, project: Project, settings: ExportSettings
) -> Names:
    """Give pseudonyms to whoever needs one, then begin the snapshot the
    export reads; the names of everyone whose work it holds."""
    for _ in range(pseudonyms.ATTEMPTS):
        pseudonyms.ensure_pseudonyms(session, project)
        begin_snapshot(session)
        names = pseudonyms.export_names(session, project, settings.pseudonymise)
        if pseudonyms.everyone_named(session, project):
            return names
        session.rollback()  # someone was assigned in between: once more
    raise ServiceError("annotators changed while exporting: try again")


@rolls_back
def write_export(
    session: Session,
    project: Project,
    options: ExportSettings,
    export_dir: Path,
    *,
    out_dir: Path | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> ExportResult:
    """Export ``project`` as ``options`` say into a new folder under
    ``export_dir`` (or into ``out_dir``, which must be new or empty). On any
    error nothing is left behind and the error propagates (ServiceError for
    the user's mistakes)."""
    try:
        # The plan reads the project's labels: from the snapshot, like the data.
        names = _snapshot_with_names(session, project, options)
        session.refresh(project)
        plan = make_plan(project, options)
        plan = settle_doccano_shape(plan, project_has_links(session, project))
        require_gold(session, project, plan.settings)
        if out_dir is None:
            folder = reserve_folder(export_dir, project, plan.fmt, now or _utcnow())
            created = True
        else:
            folder, created = out_dir, claim_out_dir(out_dir)
        try:
            written = _write_folder(session, project, plan, names, folder, progress)
        except BaseException:
            remove_export(folder, created)
            raise
    finally:
        session.rollback()
    return ExportResult(folder, written)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _write_folder(
    session: Session,
    project: Project,
    plan: Plan,
    names: Names,
    folder: Path,
    progress: Progress | None,
) -> dict[str, Any]:
    in_project, submitted = count_documents(session, project)
    tally = Tally()
    documents = export_documents(
        session, project, plan, names, tally, progress, submitted
    )
    output = FolderOutput(folder, {MANIFEST_NAME, CARD_NAME})
    try:
        with collector.paused():
            stats = plan.fmt.write(documents, output, plan.options)
        files = output.close()
    except ExportInputError as error:
        output.abort()
        raise ServiceError(f"cannot export: {error}") from error
    except BaseException:
        output.abort()
        raise
    queue = queue_order.queue_state(session, project).manifest()
    made = manifest(project, plan, stats, tally, in_project, files, queue)
    card_text = dataset_card(made, plan.fmt.hf_features)
    card = write_file(folder / CARD_NAME, card_text.encode("utf-8"))
    made["files"] = dict(sorted({**files, CARD_NAME: card}.items()))
    write_file(folder / MANIFEST_NAME, manifest_bytes(made))
    fsync_folder(folder)
    return made
