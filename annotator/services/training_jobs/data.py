"""A training as the API shows it (the page's script reads the same)."""

from __future__ import annotations

from typing import Any

from annotator.models import JobStatus, TrainingJob
from annotator.services.jobs import running
from annotator.services.jobs.running import common_data
from annotator.services.training_jobs.cancel import cancel_too_late


def training_data(job: TrainingJob) -> dict[str, Any]:
    """The training as the API shows it: progress in epochs (and, while it
    runs, documents within the epoch under way) and, once done,
    the model's version and held-out figures (no server paths); who asked
    to cancel it, and when, and whether that came too late (it ended done)."""
    metrics = job.metrics or {}
    under_way = job.status == JobStatus.RUNNING
    return common_data(job) | {
        "cancel_requested_at": running.iso(job.cancel_requested_at),
        "cancelled_by": job.cancelled_by.username if job.cancelled_by else None,
        "progress": {
            "done": job.epochs_done,
            "total": job.epochs_total,
            "epoch_documents_done": (job.epoch_examples_done or 0) if under_way else 0,
            "epoch_documents_total": job.epoch_examples_total if under_way else None,
        },
        "cancel_too_late": cancel_too_late(job),
        "model_version": job.model_version,
        "metrics": {
            "per_label": metrics.get("per_label", {}),
            "micro_f1": metrics.get("micro_f1"),
            "counts": metrics.get("counts", {}),
            "seconds": metrics.get("seconds"),
        }
        if job.metrics
        else None,
    }
