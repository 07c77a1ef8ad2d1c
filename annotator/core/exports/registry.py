"""Export formats by name.

``annotator.core.exports`` registers the built-in formats on ``FORMATS`` when it
is imported; the module-level functions act on that registry.
"""

from __future__ import annotations

from annotator.core.exports.base import ExportFormat


class UnknownFormatError(LookupError):
    """No format of that name; the message lists the known names."""


class Registry:
    """Format objects keyed by their unique ``name``."""

    def __init__(self) -> None:
        self._formats: dict[str, ExportFormat] = {}

    def register(self, fmt: ExportFormat) -> ExportFormat:
        """Add ``fmt``; a second format with the same name is refused."""
        if fmt.name in self._formats:
            raise ValueError(f"an export format named {fmt.name!r} already exists")
        self._formats[fmt.name] = fmt
        return fmt

    def get(self, name: str) -> ExportFormat:
        try:
            return self._formats[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise UnknownFormatError(
                f"unknown export format {name!r} (known formats: {known})"
            ) from None

    def names(self) -> list[str]:
        return sorted(self._formats)


FORMATS = Registry()


def register(fmt: ExportFormat) -> ExportFormat:
    """Add ``fmt`` to the shared registry; duplicate names are refused."""
    return FORMATS.register(fmt)


def get_format(name: str) -> ExportFormat:
    """The registered format called ``name``, or UnknownFormatError."""
    return FORMATS.get(name)


def format_names() -> list[str]:
    """Registered format names, sorted."""
    return FORMATS.names()
