"""What a project's overview page tells each role: the annotator their own
work, the reviewer what waits for review, the admin where every document
stands (the statuses of :mod:`annotator.core.progress`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from annotator.core.progress import DocumentStatus
from annotator.models import Project, Role, User
from annotator.services import assignments
from annotator.services import progress as progress_service
from annotator.services.projects import document_count, has_role


@dataclass(frozen=True, slots=True)
class Overview:
    """``mine``: the viewer's own annotation progress; ``statuses``: documents
    per status, for reviewers and admins only (None for annotators)."""

    n_documents: int
    mine: assignments.Progress
    statuses: Mapping[DocumentStatus, int] | None

    @property
    def left(self) -> int:
        """The viewer's open documents and those that could still be theirs."""
        return self.mine.total - self.mine.done

    @property
    def has_annotation_work(self) -> bool:
        return self.mine.done + self.mine.in_progress > 0

    @property
    def waiting_for_review(self) -> int:
        """Submitted by every annotator they need; no reviewer decision yet."""
        return self.statuses[DocumentStatus.SUBMITTED] if self.statuses else 0

    @property
    def in_review(self) -> int:
        return self.statuses[DocumentStatus.IN_REVIEW] if self.statuses else 0


def project_overview(
    session: Session, project: Project, viewer: User, role: Role
) -> Overview:
    """The overview for ``viewer``, who holds ``role`` on ``project``."""
    statuses = None
    if has_role(role, Role.REVIEWER):
        found = progress_service.project_progress(session, project)
        statuses = progress_service.status_counts(found.values())
    return Overview(
        n_documents=document_count(session, project),
        mine=assignments.progress(session, project, viewer),
        statuses=statuses,
    )
