"""The documents page's statuses from counts: each status, its precedence and
its words."""

import pytest

from annotator.core.progress import (
    STATUS_MEANING,
    DocumentStatus,
    Progress,
    parse_status,
)

WAITING, IN_PROGRESS, SUBMITTED, IN_REVIEW, ADJUDICATED = DocumentStatus


@pytest.mark.parametrize(
    ("progress", "status", "text"),
    [
        (Progress(needed=2), WAITING, "waiting"),
        # One annotator working, the second place free: still waiting.
        (Progress(needed=2, open=1), WAITING, "waiting"),
        (Progress(needed=2, submitted=1), WAITING, "waiting, submitted by 1 of 2"),
        (Progress(needed=2, open=2), IN_PROGRESS, "in progress"),
        (
            Progress(needed=2, submitted=1, open=1),
            IN_PROGRESS,
            "in progress, submitted by 1 of 2",
        ),
        # Complete, but someone still works on it: not ready for review.
        (
            Progress(needed=2, submitted=2, open=1),
            IN_PROGRESS,
            "in progress, submitted by 2 of 2",
        ),
        (Progress(needed=2, submitted=2), SUBMITTED, "submitted by 2 of 2"),
        (Progress(needed=2, submitted=3), SUBMITTED, "submitted by 3 of 2"),
        (Progress(needed=1, submitted=1), SUBMITTED, "submitted by 1 of 1"),
        (Progress(needed=1, open=1), IN_PROGRESS, "in progress"),
        (Progress(needed=1), WAITING, "waiting"),
        (
            Progress(needed=2, submitted=2, review_begun=True),
            IN_REVIEW,
            "in review",
        ),
        # Decided on under an earlier rule with fewer annotators: in review.
        (Progress(needed=3, submitted=1, review_begun=True), IN_REVIEW, "in review"),
        (
            Progress(needed=2, submitted=2, review_begun=True, adjudicated=True),
            ADJUDICATED,
            "adjudicated",
        ),
    ],
)
def test_status_and_words(progress, status, text):
    assert progress.status is status
    assert progress.text == text


def test_every_status_has_words_a_meaning_and_parses_back():
    assert [s.text for s in DocumentStatus] == [
        "waiting",
        "in progress",
        "submitted",
        "in review",
        "adjudicated",
    ]
    assert set(STATUS_MEANING) == set(DocumentStatus)
    for status in DocumentStatus:
        assert parse_status(status.value) is status
    assert parse_status("in progress") is None
    assert parse_status("") is None
