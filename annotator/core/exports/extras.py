"""Optional packages that some export formats need at run time.

A format that needs one imports it only when it writes (``require``), so that
``import annotator.core.exports`` stays light and the other formats work
without it. Without the package, choosing the format is an
``ExportUnavailableError`` naming the extra that installs it; the service
turns it into its one-line "cannot export: ..." error.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from annotator.core.exports.base import ExportInputError

#: The distribution name, for ``pip install 'framing-annotator[<extra>]'``.
DISTRIBUTION = "framing-annotator"


class ExportUnavailableError(ExportInputError):
    """The format needs an optional package that is not installed."""


def require(module: str, extra: str, fmt: str) -> ModuleType:
    """The imported ``module``, or ExportUnavailableError saying how to
    install the ``extra`` that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        install = f"pip install '{DISTRIBUTION}[{extra}]'"
        top = module.partition(".")[0]
        if error.name is not None and error.name.partition(".")[0] != top:
            # Installed, but one of its own imports fails: say which.
            raise ExportUnavailableError(
                f"format {fmt!r} needs the package {module!r}, which cannot be "
                f"imported ({error}); reinstall it: {install}"
            ) from None
        raise ExportUnavailableError(
            f"format {fmt!r} needs the package {module!r}, which is not "
            f"installed: {install}"
        ) from None
