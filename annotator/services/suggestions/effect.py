"""How much suggestions steer a project's annotators: the data behind
:mod:`annotator.core.suggestions.effect`, read for the Suggestions page,
``GET /api/v1/projects/<id>/suggestions/effect`` and ``annotator
suggestion-effect``.

- Gold: the gold layer as the exports and training read it
  (:func:`annotator.services.suggesters.gold.training_examples`): the
  adjudicated documents with the spans reviewers decided.
- Suggesters: each active suggester's proposals for every gold document, as
  the serving code computes them (:func:`.serving.propose`), whatever the
  mode and calibration share (a calibration document is scored too).
- Annotators: their accept and reject decisions on every document, and
  their spans of origin ``suggested`` in submitted work on adjudicated
  documents.
- Agreement: the documents the agreement page counts, split by what their
  submitting annotators were shown (:mod:`.shown`, the record the
  suggestions endpoint keeps per assignment while the work is open), not
  by the current settings: with suggestions when every one was shown some,
  calibration when the settings withheld them from every one (a
  calibration document, or suggestions off), counted apart when they were
  on but nothing was proposed, and neither (counted as mixed) otherwise
  (:func:`annotator.core.suggestions.calibration.effect_groups`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.suggestions.effect import (
    AgreementEffect,
    AnnotatorEffect,
    EffectReport,
    SuggesterEffect,
    agreement_effect,
    annotator_effects,
    effect_groups,
    suggester_effect,
)
from annotator.core.suggestions.evaluation import GoldExample, GoldSpan
from annotator.models import (
    Adjudication,
    AdjudicationStatus,
    Document,
    Label,
    Project,
    Span,
    SpanOrigin,
    SuggestionDecision,
    SuggestionOutcome,
    User,
)
from annotator.services import agreement, blind, submitted
from annotator.services.agreement.cache import CACHE_SIZE, ReportCache
from annotator.services.errors import rolls_back
from annotator.services.exports.settings import OptionRefused
from annotator.services.suggesters.gold import training_examples
from annotator.services.suggestions.serving import propose
from annotator.services.suggestions.settings import active_suggesters, settings_for
from annotator.services.suggestions.shown import fingerprint, submitted_shown


def _gold(session: Session, project: Project) -> list[GoldExample]:
    """The gold documents (by external id) with their spans; none before
    the first adjudication."""
    try:
        return training_examples(session, project, "gold").examples
    except OptionRefused:  # no adjudicated document yet
        return []


def _suggesters(
    session: Session, project: Project, gold: Sequence[GoldExample]
) -> tuple[SuggesterEffect, ...]:
    if not gold:
        return ()
    labels = [label.name for label in project.labels]
    adjudicated = (
        select(Document)
        .join(Adjudication, Adjudication.document_id == Document.id)
        .where(
            Document.project_id == project.id,
            Adjudication.status == AdjudicationStatus.ADJUDICATED,
        )
    )
    by_external = {
        document.external_id: document for document in session.scalars(adjudicated)
    }
    documents = [by_external[example.id] for example in gold]
    wanted = [list(example.spans) for example in gold]
    found: list[SuggesterEffect] = []
    for registered in active_suggesters(session, project.id):
        proposed: list[list[GoldSpan]] = []
        name, version = registered.name, registered.version
        for document in documents:
            proposals = propose(session, registered, document, labels)
            name, version = proposals.suggester, proposals.version
            proposed.append(
                [
                    (o.suggestion.start, o.suggestion.end, o.suggestion.label)
                    for o in proposals.offered
                ]
            )
        found.append(
            suggester_effect(
                name, version, wanted, proposed, labels, registered.last_error
            )
        )
    return tuple(found)


def _annotators(
    session: Session, project: Project, gold: Sequence[GoldExample]
) -> tuple[AnnotatorEffect, ...]:
    decisions = session.execute(
        select(User.username, SuggestionDecision.decision, func.count())
        .join(User, User.id == SuggestionDecision.annotator_id)
        .join(Document, Document.id == SuggestionDecision.document_id)
        .where(Document.project_id == project.id)
        .group_by(User.username, SuggestionDecision.decision)
    )
    accepted = session.execute(
        select(User.username, Document.external_id, Span.start, Span.end, Label.name)
        .join(User, User.id == Span.annotator_id)
        .join(Document, Document.id == Span.document_id)
        .join(Label, Label.id == Span.label_id)
        .where(
            Document.project_id == project.id,
            Span.origin == SpanOrigin.SUGGESTED,
            submitted.submitted_assignment(Span.document_id, Span.annotator_id),
        )
    )
    gold_spans: dict[Hashable, set[GoldSpan]] = {
        example.id: set(example.spans) for example in gold
    }
    return tuple(
        annotator_effects(
            (
                (name, decision == SuggestionOutcome.ACCEPTED, count)
                for name, decision, count in decisions
            ),
            (
                (name, external_id, (start, end, label))
                for name, external_id, start, end, label in accepted
            ),
            gold_spans,
        )
    )


#: The agreement part of the effect (bootstrap intervals: the slow part),
#: computed once per version of the submitted work, record of who was shown
#: suggestions and what the viewer may see.
_AGREEMENTS: ReportCache[AgreementEffect] = ReportCache(CACHE_SIZE)


def _agreement(
    session: Session, project: Project, viewer: User | None
) -> AgreementEffect:
    hidden = frozenset[int]()
    if viewer is not None:
        hidden = blind.open_to(session, project, viewer)
    key = (
        session.get_bind().engine.url.render_as_string(hide_password=True),
        project.id,
        submitted.version(session, project),
        fingerprint(session, project),
        hidden,
        tuple(label.name for label in project.labels),
    )
    found = _AGREEMENTS.get(key)
    if found is None:
        found = _compute_agreement(session, project, viewer, hidden)
        _AGREEMENTS.put(key, found)
    return found


def _compute_agreement(
    session: Session,
    project: Project,
    viewer: User | None,
    hidden: frozenset[int],
) -> AgreementEffect:
    shown = submitted_shown(session, project)
    visible = [document for document in shown if document not in hidden]
    groups = effect_groups(shown, visible)
    return agreement_effect(
        agreement.compared_annotations(session, project, viewer),
        groups,
        [label.name for label in project.labels],
        min_documents=agreement.MIN_DOCUMENTS,
        seed=agreement.SEED,
    )


@rolls_back
def suggestion_effect(
    session: Session, project: Project, viewer: User | None = None
) -> EffectReport:
    """The project's suggestion effect (code points, end exclusive); the
    agreement part leaves out the documents ``viewer`` has open to annotate,
    as the agreement page does. Commits (the suggesters' last errors)."""
    gold = _gold(session, project)  # first: it reads from its own snapshot
    settings = settings_for(session, project.id)
    report = EffectReport(
        project_id=project.id,
        project_name=project.name,
        mode=settings.mode,
        calibration_share=settings.calibration_share,
        labels=tuple(label.name for label in project.labels),
        n_gold_documents=len(gold),
        suggesters=_suggesters(session, project, gold),
        annotators=_annotators(session, project, gold),
        agreement=_agreement(session, project, viewer),
    )
    session.commit()
    return report
