"""A project's cue lexicon: every saved version (each save a new one), the
newest used by its rule suggester. A project's first version is the default
lexicon shipped in ``seeds/cues.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotator.core.spans import FieldError
from annotator.core.suggestions.lexicon import (
    Lexicon,
    LexiconError,
    compile_lexicon,
    contexts_from_text,
    lines_of,
)
from annotator.models import CueLexiconVersion, Project, User
from annotator.services import audit
from annotator.services.errors import FieldRefused, rolls_back
from annotator.services.suggestions import settings

DEFAULT_LEXICON_PATH = Path(__file__).resolve().parents[3] / "seeds" / "cues.json"


class InvalidLexicon(FieldRefused):
    """A lexicon that does not parse; ``field`` is ``LABEL:LINE`` (or the
    label or group alone), the message says "hedge line 3: …"."""

    def __init__(self, error: LexiconError) -> None:
        field = error.field if error.line is None else f"{error.field}:{error.line}"
        super().__init__(FieldError(field, str(error)))
        self.args = (str(error),)


@cache
def default_lexicon() -> dict[str, Any]:
    """The shipped default (its JSON form); empty if the file is absent."""
    try:
        data = json.loads(DEFAULT_LEXICON_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Lexicon(labels={}).to_data()
    return Lexicon.from_data(data).to_data()


def _newest(session: Session, project_id: int) -> CueLexiconVersion | None:
    return session.scalar(
        select(CueLexiconVersion)
        .where(CueLexiconVersion.project_id == project_id)
        .order_by(CueLexiconVersion.number.desc())
        .limit(1)
    )


def current_lexicon(session: Session, project_id: int) -> CueLexiconVersion:
    """The newest lexicon version; the first time, version 1 (the default)
    is added to the session (flushed; the caller commits)."""
    newest = _newest(session, project_id)
    if newest is None:
        newest = CueLexiconVersion(
            project_id=project_id, number=1, lexicon=default_lexicon()
        )
        session.add(newest)
        session.flush()
    return newest


def checked_lexicon(data: object) -> Lexicon:
    """``data`` as a lexicon whose every entry parses, or InvalidLexicon."""
    try:
        lexicon = Lexicon.from_data(data)
        compile_lexicon(lexicon)
    except LexiconError as error:
        raise InvalidLexicon(error) from None
    return lexicon


@rolls_back
def save_lexicon(
    session: Session, project: Project, data: object, actor: User | None
) -> tuple[CueLexiconVersion, bool]:
    """Store ``data`` as the project's next lexicon version and commit;
    (newest version, whether a new one was made: an unchanged lexicon is not
    saved again)."""
    lexicon = checked_lexicon(data).to_data()
    settings.settings_for(session, project.id)  # version 1 exists from here
    newest = current_lexicon(session, project.id)
    if newest.lexicon == lexicon:
        session.commit()
        return newest, False
    number = (
        session.scalar(
            select(func.max(CueLexiconVersion.number)).where(
                CueLexiconVersion.project_id == project.id
            )
        )
        or 0
    ) + 1
    saved = CueLexiconVersion(
        project_id=project.id,
        number=number,
        lexicon=lexicon,
        author_id=actor.id if actor else None,
    )
    session.add(saved)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="cue_lexicon",
        entity_id=saved.id,
        action="save",
        data={"number": number},
    )
    session.commit()
    return saved, True


@rolls_back
def save_lexicon_texts(
    session: Session,
    project: Project,
    label_texts: Mapping[str, str],
    contexts_text: str,
    actor: User | None,
) -> tuple[CueLexiconVersion, bool]:
    """The admin page's save: one text per label (one entry a line) and the
    context groups as ``[name]`` blocks; labels not given keep their entries.
    Commits a new version as :func:`save_lexicon` does."""
    try:
        contexts = contexts_from_text(contexts_text)
    except LexiconError as error:
        raise InvalidLexicon(error) from None
    settings.settings_for(session, project.id)
    stored = current_lexicon(session, project.id).lexicon
    labels = dict(stored.get("labels", {}))
    labels.update({name: list(lines_of(text)) for name, text in label_texts.items()})
    data = {
        "labels": labels,
        "contexts": {name: list(lines) for name, lines in contexts.items()},
    }
    return save_lexicon(session, project, data, actor)


def history(session: Session, project: Project) -> list[CueLexiconVersion]:
    """Every lexicon version of the project, newest first."""
    settings.settings_for(session, project.id)
    return list(
        session.scalars(
            select(CueLexiconVersion)
            .where(CueLexiconVersion.project_id == project.id)
            .order_by(CueLexiconVersion.number.desc())
        )
    )
