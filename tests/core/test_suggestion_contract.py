"""The external suggester's answer, checked without a server: the cases a
server can hardly produce through the reference handler."""

import pytest

from annotator.core.suggestions import SuggesterError
from annotator.core.suggestions.contract import parse_answer, request_body

TEXT = "Kyiv denied it."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe{}", "answer is not UTF-8"),
        (
            b'{"spans": [{"start": 0, "end": 4, "label": "claim", "score": NaN}]}',
            "NaN is not a JSON number",
        ),
        (b"{}", 'answer "spans" must be a list, not missing'),
        (b'{"spans": {"start": 0}}', 'answer "spans" must be a list, not an object'),
        (b'{"spans": [3]}', r"spans\[0\]: must be an object, not a number \(3\)"),
        (b'"spans"', r'must be a JSON object with "spans", not a string'),
        (b'{"spans": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "nested too deeply"),
    ],
)
def test_bad_answers_are_named(data, message):
    with pytest.raises(SuggesterError, match=message):
        parse_answer(data, TEXT, ["claim"])


def test_one_bad_span_refuses_the_whole_answer():
    data = (
        b'{"spans": [{"start": 0, "end": 4, "label": "claim", "score": 1},'
        b' {"start": 5, "end": 99, "label": "claim", "score": 1}]}'
    )
    with pytest.raises(SuggesterError, match=r"spans\[1\]: start 5, end 99"):
        parse_answer(data, TEXT, ["claim"])


def test_request_keeps_text_as_is_in_utf8():
    body = request_body("🙂 x\r\n", ["claim"], "Alpha", None)
    assert body.decode("utf-8") == (
        '{"text": "🙂 x\\r\\n", "labels": ["claim"], "project": "Alpha", '
        '"document": null}'
    )
