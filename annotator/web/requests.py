"""What a request is and wants: :func:`wants_json` (the one test of whether
an answer, an error above all, goes out as JSON), and the app's request
class: a multipart body with a part that has no name is refused with 400.
Werkzeug files such a part under the key None, and Flask-WTF's CSRF check
(which reads every POST's form before any view) calls ``key.endswith`` on
each key: a 500 on every POST of the app, found by the API fuzz test."""

from __future__ import annotations

from flask import Request, request
from werkzeug.exceptions import BadRequest

NAMELESS_PART = (
    "A part of the multipart body has no name: each part needs "
    'Content-Disposition: form-data; name="..."'
)


def wants_json() -> bool:
    """Whether the current request is answered in JSON (errors included):
    anything under ``/api/``, and any request with a JSON body."""
    return request.path.startswith("/api/") or request.is_json


class AnnotatorRequest(Request):
    def _load_form_data(self) -> None:
        super()._load_form_data()
        if None in self.form or None in self.files:
            # Nothing of the body is kept, so nothing reads it later.
            for _, upload in self.files.items(multi=True):
                upload.close()
            self.__dict__["form"] = self.parameter_storage_class()
            self.__dict__["files"] = self.parameter_storage_class()
            raise BadRequest(NAMELESS_PART)
