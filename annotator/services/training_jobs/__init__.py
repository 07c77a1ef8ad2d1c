"""Training the project's spancat suggester as a job: started by a project
admin, run outside the request, polled.

``submit_training`` (``submission``) makes the checks training itself makes
first (spaCy installed, a known layer, enough gold; ``options``) so that a
refusal is immediate, and queues the job: at most one queued or running
training per project (a partial unique index holds it against two admins at
once). ``run_training`` (``train``) claims it and runs ``train_model`` with
a progress callback that writes the epochs done, and beats after every
minibatch (written at most once a second: an epoch may outlast
``recovery.STALE_AFTER``; ``progress``), registers the model as the
project's suggester as ``annotator train`` does, and records the model's
version and ``metrics.json``; a training that does not end done leaves no
model folder behind (``folders``). Claiming, tracking and marking failed a
job whose worker died are every job's (``services/jobs``).

``train_here`` is ``annotator train``'s: it checks the same first, records
the training running for its own process (``start_training``: no web worker
may claim it) and runs it tracked like a queued one, so the page shows and
can cancel it and the one-at-a-time rule holds between the command and the
web, and between two commands.

``cancel_training`` (``cancel``) ends a queued training at once
(``cancelled``) and asks a running one to stop: its worker reads the request
at its next written beat, stops, removes any model folder it wrote,
registers nothing and ends it ``cancelled``. Once the model is being
registered the request comes too late and the training ends ``done``
(``cancel_too_late``). ``training_data`` (``data``) is a training as the API
shows it.
"""

from annotator.services.training_jobs.cancel import (
    TrainingEnded,
    cancel_too_late,
    cancel_training,
)
from annotator.services.training_jobs.data import training_data
from annotator.services.training_jobs.options import (
    MAX_EPOCHS,
    job_options,
    training_options,
)
from annotator.services.training_jobs.progress import EpochTracker, TrainingCancelled
from annotator.services.training_jobs.submission import (
    TrainingBusy,
    get_training,
    list_trainings,
    refuse_while_training,
    start_training,
    submit_training,
    unfinished,
)
from annotator.services.training_jobs.train import (
    Trained,
    run_queued_trainings,
    run_training,
    train_here,
)

__all__ = [
    "MAX_EPOCHS",
    "EpochTracker",
    "Trained",
    "TrainingBusy",
    "TrainingCancelled",
    "TrainingEnded",
    "cancel_too_late",
    "cancel_training",
    "get_training",
    "job_options",
    "list_trainings",
    "refuse_while_training",
    "run_queued_trainings",
    "run_training",
    "start_training",
    "submit_training",
    "train_here",
    "training_data",
    "training_options",
    "unfinished",
]
