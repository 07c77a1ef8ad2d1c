"""A project's agreement report as the page, the API and the command line
show it: the figures with what they left out, the documents they count and
the warnings (:class:`ProjectAgreement`), and its JSON (``to_dict``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from annotator.core.agreement import AgreementReport, Estimate
from annotator.core.agreement.report import DocumentDisagreement
from annotator.core.agreement.trust import HEADLINE_NAMES, figure_reading
from annotator.core.agreement.verdict import (
    RELIABLE,
    SCALE_SOURCE,
    TENTATIVE,
    Reading,
)


@dataclass(frozen=True, slots=True)
class DocumentRef:
    id: int
    external_id: str
    title: str

    @property
    def name(self) -> str:
        return self.title or self.external_id


@dataclass(frozen=True, slots=True)
class ProjectAgreement:
    """A project's report with what it left out and the warnings to show."""

    project_id: int
    project_name: str
    report: AgreementReport
    n_project_documents: int
    left_out: Mapping[str, int]  # reason -> number of documents
    documents: Mapping[int, DocumentRef]  # the documents the report counts
    warnings: tuple[str, ...]
    annotators_per_document: int
    annotators_who_can_annotate: int

    @property
    def n_left_out(self) -> int:
        return sum(self.left_out.values())

    def headline(self) -> dict[str, Estimate]:
        """The three headline figures by key (``alpha_u``, ``f1_exact``,
        ``f1_partial``)."""
        figures = self.report.unitizing
        return {key: getattr(figures, key).overall for key in HEADLINE_NAMES}

    def readings(self) -> dict[str, Reading]:
        """Each headline figure's verdict and one-line reading."""
        return {key: figure_reading(found) for key, found in self.headline().items()}

    def document(self, document_id: int) -> DocumentDisagreement | None:
        """The report's entry for a document, None if it was left out."""
        for entry in self.report.documents:
            if entry.document_id == document_id:
                return entry
        return None

    def to_dict(self) -> dict[str, Any]:
        """The report's ``to_dict()`` plus ``project``, ``coverage`` and
        ``warnings``; each document entry also has ``external_id`` and
        ``title`` (documented in docs/agreement.md)."""
        data = self.report.to_dict()
        for entry in data["documents"]:
            ref = self.documents[entry["document_id"]]
            entry["external_id"], entry["title"] = ref.external_id, ref.title
        coverage = {
            "n_documents": self.n_project_documents,
            "n_compared_documents": self.report.n_compared_documents,
            "annotators_per_document": self.annotators_per_document,
            "annotators_who_can_annotate": self.annotators_who_can_annotate,
            "left_out": [
                {"reason": reason, "n_documents": count}
                for reason, count in self.left_out.items()
            ],
        }
        project = {"id": self.project_id, "name": self.project_name}
        return {
            "project": project,
            "coverage": coverage,
            "warnings": list(self.warnings),
            **data,
            "verdicts": self._verdicts(),
        }

    def _verdicts(self) -> dict[str, Any]:
        figures = self.report.unitizing
        return {
            "scale": {
                "reliable": RELIABLE,
                "tentative": TENTATIVE,
                "source": SCALE_SOURCE,
            },
            "headline": {
                key: found.to_dict() for key, found in self.readings().items()
            },
            "per_label": {
                label: {
                    key: figure_reading(
                        getattr(figures, key).per_label[label]
                    ).to_dict()
                    for key in HEADLINE_NAMES
                }
                for label in self.report.labels
            },
        }
