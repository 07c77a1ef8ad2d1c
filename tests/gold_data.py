"""A small generated gold project for training tests: short news-like
sentences where hedges and denials are single obvious cue words, imported as
two agreeing annotators' work and adjudicated, so the gold layer holds
exactly the generated spans."""

from __future__ import annotations

import json
import random
from typing import Any

from annotator.extensions import db
from annotator.models import Document, Project, User
from annotator.services import adjudication, review
from annotator.services.documents import import_files

HEDGES = ("reportedly", "allegedly", "possibly")
DENIALS = ("denied", "rejected")
SUBJECTS = ("The minister", "Officials", "The embassy", "A spokesman", "Witnesses")
ENDINGS = (
    "the talks in the capital",
    "the shelling near the border",
    "the report about the convoy",
    "the meeting on Monday",
)


def sentence(rng: random.Random) -> tuple[str, tuple[int, int, str] | None]:
    """One sentence and its cue span (offsets within the sentence), if any."""
    subject, ending = rng.choice(SUBJECTS), rng.choice(ENDINGS)
    kind = rng.choice(("hedge", "denial", "none"))
    if kind == "hedge":
        cue = rng.choice(HEDGES)
        text = f"{subject} {cue} discussed {ending}."
    elif kind == "denial":
        cue = rng.choice(DENIALS)
        text = f"{subject} {cue} {ending}."
    else:
        return f"{subject} described {ending}.", None
    start = len(subject) + 1
    return text, (start, start + len(cue), kind)


def gold_record(doc_id: str, rng: random.Random) -> dict[str, Any]:
    """A document of three to five sentences (some opening with an emoji)
    with the same spans for both annotators; offsets in code points."""
    text, spans = "", []
    for _ in range(rng.randint(3, 5)):
        if text:
            text += " "
        if rng.random() < 0.2:
            text += "🙂 "
        part, span = sentence(rng)
        if span is not None:
            spans.append(
                {
                    "start": len(text) + span[0],
                    "end": len(text) + span[1],
                    "label": span[2],
                }
            )
        text += part
    return {
        "id": doc_id,
        "text": text,
        "annotations": [{"annotator": n, "spans": spans} for n in ("ann", "bob")],
    }


def make_gold_project(
    project: Project, reviewer: User, documents: int = 30, seed: int = 7
) -> list[dict[str, Any]]:
    """Import ``documents`` generated records into ``project`` and adjudicate
    each one, accepting the annotators' (identical) spans; the records."""
    rng = random.Random(seed)
    records = [gold_record(f"doc-{n:03d}", rng) for n in range(documents)]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    import_files(db.session, project, [("gold.jsonl", data)])
    spans = {r["id"]: r["annotations"][0]["spans"] for r in records}
    for document in db.session.query(Document).filter_by(project_id=project.id):
        # A document without spans has nothing to accept: adjudicated empty.
        decisions = ["accept-agreed"] if spans[document.external_id] else []
        for name in [*decisions, "adjudicate"]:
            state = review.document_review(db.session, project, document)
            data_in: dict[str, Any] = {"version": state["version"]}
            if name == "adjudicate":
                data_in["undecided"] = state["undecided"]
            adjudication.DECISIONS[name](
                db.session, project, document, reviewer, data_in
            )
    return records
