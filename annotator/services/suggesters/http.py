"""The client of a team's own suggester service (the contract:
:mod:`annotator.core.suggestions.contract`, docs/suggestions.md).

One POST per document with the standard library's ``http.client``: no
redirect is followed, the whole exchange (connecting, sending, the answer's
headers and body) must end within ``timeout`` seconds, the answer may not
exceed ``max_bytes``, and anything wrong is a SuggesterError naming it, so a
slow or broken service never holds up or breaks an annotation page.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from annotator.core.suggestions import SuggesterError, Suggestion
from annotator.core.suggestions.contract import parse_answer, request_body

NAME = "http"
DEFAULT_TIMEOUT = 5.0
#: 2 MB: some tens of thousands of spans, far more than a document needs.
MAX_RESPONSE_BYTES = 2_000_000
CHUNK = 65_536
SCHEMES = ("http", "https")


class _Deadline:
    """Seconds left of one exchange; TimeoutError once spent."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return remaining


@dataclass(frozen=True, slots=True)
class HttpSuggester:
    """A team's model server at ``url``; ``project`` and ``document`` (the
    document's external id, when known) are sent with every request."""

    url: str
    project: str
    document: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = MAX_RESPONSE_BYTES
    name: str = NAME
    version: str = ""

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise SuggesterError(
                f"suggester URL {self.url!r}: must be http:// or https:// with a host"
            )
        if not self.timeout > 0:
            raise SuggesterError(f"timeout must be above 0 seconds, not {self.timeout}")

    def for_document(self, document: str | None) -> HttpSuggester:
        """The same service, asked about ``document``."""
        return replace(self, document=document)

    def suggest(self, text: str, labels: Sequence[str]) -> list[Suggestion]:
        """The service's spans for ``text`` (code points, end exclusive),
        checked against the contract."""
        body = request_body(text, labels, self.project, self.document)
        data = self._post(body)
        try:
            return parse_answer(data, text, labels)
        except SuggesterError as error:
            raise SuggesterError(f"{self.url}: {error}") from None

    def _post(self, body: bytes) -> bytes:
        deadline = _Deadline(self.timeout)
        try:
            return self._exchange(body, deadline)
        except TimeoutError:
            raise SuggesterError(
                f"{self.url}: no complete answer within {self.timeout:g} s"
            ) from None
        except (OSError, http.client.HTTPException) as error:
            raise SuggesterError(f"{self.url}: request failed: {error}") from None

    def _exchange(self, body: bytes, deadline: _Deadline) -> bytes:
        parts = urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _connection(parts.scheme, parts.netloc, deadline.left())
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Accept": "application/json",
                    "User-Agent": "framing-annotator",
                },
            )
            # The connection lets go of its socket once the answer says it
            # closes, but the answer keeps reading through it: hold it here.
            sock = connection.sock
            _set_timeout(sock, deadline)
            response = connection.getresponse()
            if response.status != http.HTTPStatus.OK:
                raise SuggesterError(
                    f"{self.url}: answered HTTP {response.status} {response.reason}"
                )
            return self._read(sock, response, deadline)
        finally:
            connection.close()

    def _read(
        self,
        sock: socket.socket | None,
        response: http.client.HTTPResponse,
        deadline: _Deadline,
    ) -> bytes:
        """The body, chunk by chunk, within the deadline and the size limit."""
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise self._too_large()
        data = bytearray()
        while True:
            _set_timeout(sock, deadline)
            chunk = response.read1(CHUNK)
            if not chunk:
                return bytes(data)
            data += chunk
            if len(data) > self.max_bytes:
                raise self._too_large()

    def _too_large(self) -> SuggesterError:
        return SuggesterError(
            f"{self.url}: answer larger than {self.max_bytes} bytes; refused"
        )


def _connection(scheme: str, netloc: str, timeout: float) -> http.client.HTTPConnection:
    if scheme == "https":
        context = ssl.create_default_context()
        return http.client.HTTPSConnection(netloc, timeout=timeout, context=context)
    return http.client.HTTPConnection(netloc, timeout=timeout)


def _set_timeout(sock: socket.socket | None, deadline: _Deadline) -> None:
    """Bound the next socket operation by what is left of the deadline."""
    if sock is not None:
        sock.settimeout(deadline.left())


def from_config(
    config: object, project: str, *, name: str = NAME, version: str = ""
) -> HttpSuggester:
    """The suggester a registered ``http`` row's config names: ``{"url":
    ..., "timeout": 5, "max_bytes": 2000000}`` (the last two optional)."""
    if not isinstance(config, dict):
        raise SuggesterError("http config: must be an object with a url")
    url = config.get("url")
    if not isinstance(url, str):
        raise SuggesterError("http config.url: the service's URL, a string")
    timeout = config.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise SuggesterError("http config.timeout: a number of seconds")
    max_bytes = config.get("max_bytes", MAX_RESPONSE_BYTES)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise SuggesterError("http config.max_bytes: a positive integer")
    return HttpSuggester(
        url,
        project,
        timeout=float(timeout),
        max_bytes=max_bytes,
        name=name,
        version=version,
    )
