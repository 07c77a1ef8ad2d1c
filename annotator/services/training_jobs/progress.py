"""A running training's progress: epochs done and documents within the
epoch under way, a heartbeat after every minibatch, and, at each beat
written, whether an admin asked to cancel it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from annotator.models import TrainingJob
from annotator.services.jobs.running import Tracker


class TrainingCancelled(Exception):
    """An admin asked the running training to stop (raised at a beat)."""


class EpochTracker(Tracker):
    """The training's progress callback: epochs done, with a heartbeat after
    every minibatch (``step``); each beat written also reads whether an
    admin asked to cancel (TrainingCancelled) until ``cancellable`` is
    turned off (the model is being registered)."""

    cancellable = True
    #: The epochs done and in all as last reported, written or not.
    epochs: tuple[int, int] | None = None

    def __call__(self, done: int, total: int, loss: float) -> None:
        self.epochs = (done, total)
        if self.due(done, total):
            self.write(epochs_done=done, epochs_total=total, epoch_examples_done=0)

    def step(self, done: int, total: int) -> None:
        """After a minibatch (``done`` of ``total`` documents of the epoch):
        the heartbeat with that progress, written at most every ``every``
        seconds, so a long epoch does not look like a dead worker. The
        epochs done go with it: an epoch's end within a second of a beat is
        not written, and the documents must not be counted in the epoch
        before."""
        if self.clock() - self.last >= self.every:
            epochs = {}
            if self.epochs is not None:
                epochs = {"epochs_done": self.epochs[0], "epochs_total": self.epochs[1]}
            self.write(epoch_examples_done=done, epoch_examples_total=total, **epochs)

    def write(self, **values: Any) -> None:
        super().write(**values)
        if self.cancellable and "status" not in values:
            self.check_cancel()

    def check_cancel(self) -> None:
        """TrainingCancelled if an admin asked to cancel the training."""
        asked = self.session.scalar(
            select(TrainingJob.cancel_requested_at).where(TrainingJob.id == self.job_id)
        )
        self.session.rollback()  # no read transaction left open
        if asked is not None:
            raise TrainingCancelled(self.job_id)
