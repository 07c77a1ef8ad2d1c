"""A project's suggestion settings for its admins: the mode and calibration
share, the queue order (in order, random, by model uncertainty), the cue
lexicon (one textarea per label, each save a new version) and the registered
suggesters with their last error, and training the project's spancat
suggester in the background (a job: see web/training_jobs.py for its JSON;
the page's script follows it, without the script a "Check again" link
does) with a button to cancel it. Routes of the ``projects`` blueprint
(``projects.suggestions`` …)."""

from __future__ import annotations

from typing import cast

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from annotator.core.suggestions.lexicon import contexts_to_text
from annotator.extensions import current_session
from annotator.models import JobStatus, Project, Role, User
from annotator.services import queue_order, training_jobs
from annotator.services.errors import FieldRefused, ServiceError
from annotator.services.suggesters import spancat, training
from annotator.services.suggestions import lexicons, settings
from annotator.web import training_runner
from annotator.web.errors import status_of
from annotator.web.forms import (
    LexiconForm,
    QueueOrderForm,
    SuggestionSettingsForm,
    TrainingForm,
)
from annotator.web.projects import blueprint
from annotator.web.security import require_membership

PAGE = "/projects/<int:project_id>/suggestions"


def _user() -> User:
    return cast(User, current_user._get_current_object())


def _page(
    project: Project,
    settings_form: SuggestionSettingsForm | None = None,
    lexicon_form: LexiconForm | None = None,
    label_texts: dict[str, str] | None = None,
    queue_form: QueueOrderForm | None = None,
    status: int = 200,
    training_form: TrainingForm | None = None,
    training_problem: str | None = None,
    cancel_problem: str | None = None,
) -> ResponseReturnValue:
    session = current_session()
    stored = settings.settings_for(session, project.id)
    queue = queue_order.queue_state(session, project)
    if queue_form is None:
        queue_form = QueueOrderForm(order=queue.order, seed=queue.seed)
    versions = lexicons.history(session, project)
    newest = versions[0].lexicon
    if settings_form is None:
        settings_form = SuggestionSettingsForm(
            mode=stored.mode, share=stored.calibration_share
        )
    if lexicon_form is None:
        lexicon_form = LexiconForm(
            contexts=contexts_to_text(newest.get("contexts", {}))
        )
    if label_texts is None:
        label_texts = {
            label.name: "\n".join(newest.get("labels", {}).get(label.name, []))
            for label in project.labels
        }
    trainings = training_jobs.list_trainings(session, project, limit=5)
    latest = trainings[0] if trainings else None
    page = render_template(
        "projects/suggestions.html",
        project=project,
        settings_form=settings_form,
        lexicon_form=lexicon_form,
        label_texts=label_texts,
        versions=versions,
        suggesters=settings.active_suggesters(session, project.id),
        training_form=training_form or TrainingForm(),
        training_problem=training_problem,
        cancel_problem=cancel_problem,
        trainings=trainings,
        latest=latest,
        # The service's rule, as the API answers it: not decided again here.
        cancel_too_late=latest is not None and training_jobs.cancel_too_late(latest),
        spacy_ready=spancat.spacy_available(),
        install=spancat.INSTALL,
        held_out=round(training.DEFAULT_HELD_OUT * 100),
        label_names={label.name: label.display_name for label in project.labels},
        queue_form=queue_form,
        queue=queue,
    )
    session.commit()  # the defaults, made on a project's first visit
    return page, status


@blueprint.route(PAGE)
@require_membership(Role.ADMIN)
def suggestions(project: Project) -> ResponseReturnValue:
    return _page(project)


@blueprint.route(f"{PAGE}/settings", methods=["POST"])
@require_membership(Role.ADMIN)
def suggestion_settings(project: Project) -> ResponseReturnValue:
    form = SuggestionSettingsForm()
    if not form.validate_on_submit():
        return _page(project, settings_form=form, status=400)
    saved = settings.set_suggestions(
        current_session(), project, form.mode.data or "", form.share.data, _user()
    )
    flash(f"Suggestions: {saved.mode}.", "info")
    return redirect(url_for("projects.suggestions", project_id=project.id))


@blueprint.route(f"{PAGE}/queue-order", methods=["POST"])
@require_membership(Role.ADMIN)
def set_queue_order(project: Project) -> ResponseReturnValue:
    form = QueueOrderForm()
    if not form.validate_on_submit():
        return _page(project, queue_form=form, status=400)
    try:
        saved = queue_order.set_queue_order(
            current_session(), project, form.order.data or "", form.seed.data, _user()
        )
    except FieldRefused as error:
        field = form.seed if error.field == "seed" else form.order
        field.errors = [str(error).removeprefix(f"{error.field}: ")]
        return _page(project, queue_form=form, status=400)
    seed = f" (seed {saved.seed})" if saved.order == "random" else ""
    flash(f"Queue order: {saved.order}{seed}.", "info")
    return redirect(url_for("projects.suggestions", project_id=project.id))


@blueprint.route(f"{PAGE}/lexicon", methods=["POST"])
@require_membership(Role.ADMIN)
def save_lexicon(project: Project) -> ResponseReturnValue:
    form = LexiconForm()
    texts = {
        label.name: request.form[f"label-{label.name}"]
        for label in project.labels
        if f"label-{label.name}" in request.form
    }
    if not form.validate_on_submit():
        return _page(project, lexicon_form=form, label_texts=texts, status=400)
    try:
        saved, changed = lexicons.save_lexicon_texts(
            current_session(), project, texts, form.contexts.data or "", _user()
        )
    except FieldRefused as error:
        form.contexts.errors = [f"Not saved: {error}"]
        return _page(project, lexicon_form=form, label_texts=texts, status=400)
    if changed:
        flash(f"Cue lexicon saved as version {saved.number}.", "info")
    else:
        flash(f"Nothing changed: the lexicon is still version {saved.number}.", "info")
    return redirect(url_for("projects.suggestions", project_id=project.id))


@blueprint.route(f"{PAGE}/training", methods=["POST"])
@require_membership(Role.ADMIN)
def start_training(project: Project) -> ResponseReturnValue:
    form = TrainingForm()
    if not form.validate_on_submit():
        return _page(project, training_form=form, status=400)
    options = {"layer": form.layer.data, "epochs": form.epochs.data}
    try:
        job = training_jobs.submit_training(
            current_session(), project, _user(), options
        )
    except ServiceError as error:
        return _page(
            project,
            training_form=form,
            training_problem=str(error),
            status=status_of(error),
        )
    training_runner.start(job.id)
    return redirect(url_for("projects.suggestions", project_id=project.id))


@blueprint.route(f"{PAGE}/training/<int:job_id>/cancel", methods=["POST"])
@require_membership(Role.ADMIN)
def cancel_training(project: Project, job_id: int) -> ResponseReturnValue:
    try:
        job = training_jobs.cancel_training(current_session(), project, job_id, _user())
    except training_jobs.TrainingEnded as error:
        return _page(project, cancel_problem=str(error), status=status_of(error))
    if job.status == JobStatus.CANCELLED:
        flash("Training cancelled.", "info")
    else:
        flash("Cancelling: the training stops after its current step.", "info")
    return redirect(url_for("projects.suggestions", project_id=project.id))
