"""The demo project: accounts, guideline and sample articles, idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from annotator.models import Project, Role
from annotator.services import accounts, documents, projects
from annotator.services.errors import ServiceError

DEFAULT_SEED_DIR = Path(__file__).resolve().parents[2] / "seeds"


def seed_demo(session: Session, seed_dir: Path) -> str:
    """Create what ``seed_dir/demo.json`` describes unless it exists; return a
    one-line summary."""
    manifest = _read_manifest(seed_dir / "demo.json")
    created_users = [
        user["username"] for user in manifest["users"] if _ensure_user(session, user)
    ]
    project = _ensure_project(session, seed_dir, manifest["project"])
    _define_labels(session, project, manifest["project"].get("labels", {}))
    for user in manifest["users"]:
        member = accounts.require_user(session, user["username"])
        if projects.membership_of(session, project.id, member.id) is None:
            projects.add_member(session, project, member, Role(user["role"]), None)
    files = [
        (entry["file"], (seed_dir / entry["file"]).read_bytes())
        for entry in manifest["imports"]
    ]
    result = documents.import_files(session, project, files)
    return (
        f"Demo project {project.name!r}: {result.added} documents added, "
        f"{result.skipped} already there; users created: "
        f"{', '.join(created_users) or 'none'}."
    )


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ServiceError(f"{path}: {error}") from None
    return manifest


def _ensure_user(session: Session, user: dict[str, Any]) -> bool:
    if accounts.find_user(session, user["username"]) is not None:
        return False
    accounts.create_user(
        session,
        user["username"],
        user["password"],
        is_admin=bool(user.get("site_admin")),
        # The demo's passwords are printed in the README for trying the tool
        # (and must be changed before real use): the strength rule would
        # refuse them, being guessable is their point.
        demo=True,
    )
    return True


def _ensure_project(session: Session, seed_dir: Path, spec: dict[str, Any]) -> Project:
    existing = projects.find_project(session, spec["name"])
    if existing is not None:
        return existing
    guideline = (seed_dir / spec["guideline_file"]).read_text(encoding="utf-8")
    return projects.create_project(
        session,
        spec["name"],
        description=spec.get("description", ""),
        guideline=guideline,
        annotators_per_document=int(spec.get("annotators_per_document", 2)),
    )


def _define_labels(
    session: Session, project: Project, meanings: dict[str, dict[str, Any]]
) -> None:
    """Give the labels the manifest's definitions and examples, where a label
    has neither yet (an admin's own wording is never overwritten)."""
    changed = False
    for label in project.labels:
        meaning = meanings.get(label.name)
        if meaning is None or label.definition or label.examples:
            continue
        label.definition = meaning.get("definition", "")
        label.examples = "\n".join(meaning.get("examples", []))
        changed = True
    if changed:
        session.commit()
