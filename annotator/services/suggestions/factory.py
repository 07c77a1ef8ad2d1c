"""Turn a registered suggester (a row) into a working one, by kind.

Each kind has one loader; ``rules`` is built in, and the model kinds
(``spancat``, ``http``) register theirs with :func:`register_loader` when
their module is importable. An unknown kind, or a kind whose loader is
missing (an optional extra not installed), raises :class:`SuggesterError`,
which the caller records for the project's admins.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from annotator.core.suggestions import Suggester, SuggesterError
from annotator.core.suggestions.lexicon import Lexicon, LexiconError
from annotator.core.suggestions.rules import RuleSuggester
from annotator.models import RegisteredSuggester, SuggesterKind
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


register_loader(SuggesterKind.RULES, _load_rules)
