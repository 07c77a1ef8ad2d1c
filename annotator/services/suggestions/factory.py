"""Turn a registered suggester (a row) into a working one, by kind.

Each kind has one loader: ``rules`` (the project's cue lexicon), and the
model kinds ``spancat`` and ``http``, whose modules
(``annotator.services.suggesters``) are imported only when a project uses
them. Another loader can take a kind's place with :func:`register_loader`.
An unknown kind, a module that cannot be imported, or a bad config raises
:class:`SuggesterError`, which the caller records for the project's admins.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import cast

from sqlalchemy.orm import Session

from annotator.core.suggestions import Suggester, SuggesterError
from annotator.core.suggestions.lexicon import Lexicon, LexiconError
from annotator.core.suggestions.rules import RuleSuggester
from annotator.models import Project, RegisteredSuggester, SuggesterKind
from annotator.services.suggestions import lexicons

Loader = Callable[[Session, RegisteredSuggester], Suggester]

_LOADERS: dict[str, Loader] = {}


def register_loader(kind: str, loader: Loader) -> None:
    """Make ``kind`` loadable; a second loader for a kind is refused."""
    if kind not in {k.value for k in SuggesterKind}:
        raise ValueError(f"unknown suggester kind {kind!r}")
    if kind in _LOADERS and _LOADERS[kind] is not loader:
        raise ValueError(f"suggester kind {kind!r} already has a loader")
    _LOADERS[kind] = loader


def load_suggester(session: Session, registered: RegisteredSuggester) -> Suggester:
    """The working suggester behind ``registered``; SuggesterError when its
    kind is unknown or cannot be loaded here."""
    loader = _LOADERS.get(registered.kind)
    if loader is None:
        known = ", ".join(sorted(_LOADERS))
        raise SuggesterError(
            f"suggester {registered.name!r}: kind {registered.kind!r} is not "
            f"available here (available: {known})"
        )
    return loader(session, registered)


def _load_rules(session: Session, registered: RegisteredSuggester) -> Suggester:
    """Cue rules from the project's newest lexicon version."""
    newest = lexicons.current_lexicon(session, registered.project_id)
    try:
        return RuleSuggester(
            Lexicon.from_data(newest.lexicon), str(newest.number), registered.name
        )
    except LexiconError as error:
        raise SuggesterError(f"cue lexicon version {newest.number}: {error}") from None


def _suggesters_module(kind: str) -> ModuleType:
    try:
        return importlib.import_module(f"annotator.services.suggesters.{kind}")
    except ImportError as error:
        raise SuggesterError(
            f"suggester kind {kind!r} is not available in this installation ({error})"
        ) from None


def _load_spancat(session: Session, registered: RegisteredSuggester) -> Suggester:
    """A trained span categorizer: config ``{"path", "threshold"}``."""
    module = _suggesters_module("spancat")
    return cast(Suggester, module.from_config(registered.config))


def _load_http(session: Session, registered: RegisteredSuggester) -> Suggester:
    """A team's model server: config ``{"url", "timeout", "max_bytes"}``."""
    module = _suggesters_module("http")
    project = session.get(Project, registered.project_id)
    return cast(
        Suggester,
        module.from_config(
            registered.config,
            project.name if project else "",
            name=registered.name,
            version=registered.version,
        ),
    )


register_loader(SuggesterKind.RULES, _load_rules)
register_loader(SuggesterKind.SPANCAT, _load_spancat)
register_loader(SuggesterKind.HTTP, _load_http)
