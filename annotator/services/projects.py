"""Projects, their labels and their members."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Delete,
    Select,
    Update,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from annotator.core.labels import (
    DEFAULT_LABELS,
    LabelSpec,
    SpanSchema,
    attribute_schema_errors,
    label_spec_errors,
)
from annotator.core.spans import storable_text_errors
from annotator.models import (
    ROLE_RANK,
    Document,
    GoldSpan,
    Label,
    Membership,
    Project,
    Role,
    Span,
    User,
)
from annotator.services import audit
from annotator.services import guideline as guideline_service
from annotator.services.assignments import release_open_assignments
from annotator.services.errors import (
    LastAdmin,
    NotFoundError,
    ServiceError,
    rolls_back,
)

MAX_ANNOTATORS_PER_DOCUMENT = 20


@rolls_back
def create_project(
    session: Session,
    name: str,
    *,
    description: str = "",
    guideline: str = "",
    annotators_per_document: int = 2,
    labels: Sequence[LabelSpec] = DEFAULT_LABELS,
    actor: User | None = None,
) -> Project:
    """Create and commit a project with its labels (the four defaults unless
    given); the creator, if any, becomes its admin."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ServiceError("name: 1 to 120 characters")
    if not 1 <= annotators_per_document <= MAX_ANNOTATORS_PER_DOCUMENT:
        raise ServiceError(
            f"annotators_per_document: 1 to {MAX_ANNOTATORS_PER_DOCUMENT}"
        )
    if find_project(session, name) is not None:
        raise ServiceError(f"project {name!r} already exists")
    check_labels(labels)
    guideline_service.check_text(guideline)
    project = Project(
        name=name,
        description=description,
        guideline="",
        annotators_per_document=annotators_per_document,
        labels=[
            label_from_spec(spec, position) for position, spec in enumerate(labels)
        ],
    )
    session.add(project)
    session.flush()
    if actor is not None:
        set_membership(session, project, actor, Role.ADMIN, actor)
    if guideline.strip():
        guideline_service.add_version(session, project, guideline, actor)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="project",
        entity_id=project.id,
        action="create",
        data={"name": name, "labels": [spec.name for spec in labels]},
    )
    session.commit()
    return project


def check_labels(labels: Sequence[LabelSpec]) -> None:
    if not labels:
        raise ServiceError("labels: a project needs at least one label")
    problems = [
        f"label {index + 1} ({spec.name!r}): {error}"
        for index, spec in enumerate(labels)
        for error in [
            *label_spec_errors(spec),
            *storable_text_errors(spec.definition, "definition"),
            *storable_text_errors(spec.examples, "examples"),
        ]
    ]
    for field in ("name", "hotkey"):
        values = [getattr(spec, field) for spec in labels]
        problems += [
            f"labels: {field} {value!r} is used twice"
            for value in sorted(set(values))
            if values.count(value) > 1
        ]
    if problems:
        raise ServiceError("; ".join(problems))


def label_from_spec(spec: LabelSpec, position: int) -> Label:
    return Label(
        name=spec.name,
        display_name=spec.display_name,
        color=spec.color,
        hotkey=spec.hotkey,
        underline=spec.underline,
        position=position,
        definition=spec.definition,
        examples=spec.examples,
    )


@rolls_back
def replace_labels(
    session: Session, project: Project, labels: Sequence[LabelSpec], actor: User
) -> None:
    """Update the label set; a label already used by spans cannot be removed."""
    check_labels(labels)
    wanted = {spec.name: spec for spec in labels}
    existing = {label.name: label for label in project.labels}
    removed = [label for name, label in existing.items() if name not in wanted]
    for label in removed:
        in_use = _label_uses(session, label)
        if in_use:
            raise ServiceError(
                f"label {label.name!r} is used by {in_use} spans and cannot be removed"
            )
        project.labels.remove(label)
    for position, spec in enumerate(labels):
        found = existing.get(spec.name)
        if found is None:
            project.labels.append(label_from_spec(spec, position))
            continue
        label = found
        label.display_name, label.color = spec.display_name, spec.color
        label.hotkey, label.underline = spec.hotkey, spec.underline
        label.definition, label.examples = spec.definition, spec.examples
        label.position = position
    audit.record(
        session,
        actor_id=actor.id,
        project_id=project.id,
        entity="project",
        entity_id=project.id,
        action="labels",
        data={"labels": [spec.name for spec in labels]},
    )
    session.commit()


def span_schema(project: Project) -> SpanSchema:
    """The labels and attribute names a span of ``project`` may have."""
    return SpanSchema(
        frozenset(label.name for label in project.labels),
        tuple(project.attribute_names),
    )


@rolls_back
def set_attribute_names(
    session: Session, project: Project, names: Sequence[str], actor: User | None
) -> None:
    """Set the attributes a span of ``project`` may carry, and commit. Spans
    already stored keep theirs; from now on a save or an import with an
    attribute outside the list is refused, naming it."""
    problems = attribute_schema_errors(names)
    if problems:
        raise ServiceError("; ".join(problems))
    project.attribute_names = list(names)
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="project",
        entity_id=project.id,
        action="attributes",
        data={"attributes": list(names)},
    )
    session.commit()


def _label_uses(session: Session, label: Label) -> int:
    """Annotators' and gold spans with this label."""
    total = 0
    for model in (Span, GoldSpan):
        count = session.scalar(select(func.count()).where(model.label_id == label.id))
        total += count or 0
    return total


def find_project(session: Session, name: str) -> Project | None:
    return session.scalar(select(Project).where(Project.name == name))


def require_project(session: Session, name: str) -> Project:
    project = find_project(session, name)
    if project is None:
        raise NotFoundError(f"no project named {name!r}")
    return project


@rolls_back
def add_member(
    session: Session, project: Project, user: User, role: str, actor: User | None
) -> Membership:
    """Give ``user`` ``role`` on ``project`` (changing an existing role) and commit."""
    try:
        role_value = Role(role)
    except ValueError:
        raise ServiceError(
            f"role {role!r}: one of annotator, reviewer, admin"
        ) from None
    membership = set_membership(session, project, user, role_value, actor)
    session.commit()
    return membership


def set_membership(
    session: Session, project: Project, user: User, role: Role, actor: User | None
) -> Membership:
    """Give ``user`` ``role`` in the caller's transaction, with an audit row."""
    membership = membership_of(session, project.id, user.id)
    before = membership.role if membership else None
    if membership is None:
        membership = Membership(project_id=project.id, user_id=user.id, role=role)
        session.add(membership)
    elif before == Role.ADMIN and role != Role.ADMIN:
        _keep_a_project_admin(
            session, project, user, update(Membership).values(role=role)
        )
    membership.role = role
    session.flush()
    audit.record(
        session,
        actor_id=actor.id if actor else None,
        project_id=project.id,
        entity="membership",
        entity_id=membership.id,
        action="create" if before is None else "update",
        data={"user": user.username, "role": str(role), "previous_role": before},
    )
    return membership


@rolls_back
def remove_member(session: Session, project: Project, user: User, actor: User) -> None:
    membership = membership_of(session, project.id, user.id)
    if membership is None:
        raise NotFoundError(f"{user.username} is not a member of {project.name}")
    audit.record(
        session,
        actor_id=actor.id,
        project_id=project.id,
        entity="membership",
        entity_id=membership.id,
        action="delete",
        data={"user": user.username, "role": membership.role},
    )
    release_open_assignments(session, user, project.id)
    _keep_a_project_admin(session, project, user, delete(Membership))
    session.expunge(membership)
    session.commit()


def _keep_a_project_admin(
    session: Session, project: Project, user: User, change: Update | Delete
) -> None:
    """Run ``change`` (an UPDATE or DELETE of memberships) on ``user``'s
    membership unless that takes the project's last admin; LastAdmin if
    it would. Atomic under concurrent requests: the project's admin rows are
    locked first (PostgreSQL: FOR UPDATE, so a second request waits and then
    counts what the first left) and the count is part of the statement's own
    condition (SQLite runs one writer at a time and one statement sees the
    latest rows), so two admins cannot each remove the other."""
    session.flush()
    admins = (Membership.project_id == project.id, Membership.role == Role.ADMIN)
    session.scalars(select(Membership.id).where(*admins).with_for_update()).all()
    other = aliased(Membership)
    others = (
        select(func.count())
        .select_from(other)
        .where(
            other.project_id == project.id,
            other.role == Role.ADMIN,
            other.user_id != user.id,
        )
        .scalar_subquery()
    )
    done = session.execute(
        change.where(
            Membership.project_id == project.id,
            Membership.user_id == user.id,
            or_(Membership.role != Role.ADMIN, others >= 1),
        ).execution_options(synchronize_session=False)
    )
    if not cast(CursorResult[Any], done).rowcount:
        raise LastAdmin(
            f"{user.username} is the last admin of {project.name}: make someone "
            "else its admin first"
        )


def membership_of(session: Session, project_id: int, user_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).where(
            Membership.project_id == project_id, Membership.user_id == user_id
        )
    )


def effective_role(session: Session, project_id: int, user: User) -> Role | None:
    """The user's role on the project; site admins act as project admins."""
    if user.is_admin:
        return Role.ADMIN
    membership = membership_of(session, project_id, user.id)
    return Role(membership.role) if membership else None


def project_and_role(
    session: Session, project_id: int, user: User
) -> tuple[Project | None, Role | None]:
    """The project and the user's role on it (None when not a member), read
    in one query: every request of the annotation API starts with this."""
    if user.is_admin:
        project = session.get(Project, project_id)
        return project, Role.ADMIN if project else None
    row = session.execute(
        _project_and_role_statement(), {"project_id": project_id, "user_id": user.id}
    ).first()
    if row is None:
        return None, None
    project, role = row
    return project, Role(role) if role else None


@cache
def _project_and_role_statement() -> Select[Project, str]:
    """Built once: every project route runs it (building and keying a
    statement costs more CPU than running it)."""
    return (
        select(Project, Membership.role)
        .outerjoin(
            Membership,
            (Membership.project_id == Project.id)
            & (Membership.user_id == bindparam("user_id")),
        )
        .where(Project.id == bindparam("project_id"))
    )


def has_role(role: Role | None, needed: Role) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


def projects_for(session: Session, user: User) -> list[tuple[Project, Role]]:
    """The projects ``user`` may open, with the role held on each, by name."""
    if user.is_admin:
        projects = session.scalars(select(Project).order_by(Project.name))
        return [(project, Role.ADMIN) for project in projects]
    rows = session.execute(
        select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.name)
    )
    return [(project, Role(role)) for project, role in rows]


def members(session: Session, project: Project) -> list[tuple[User, str]]:
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.project_id == project.id)
        .order_by(User.username)
    )
    return [(user, role) for user, role in rows]


def document_count(session: Session, project: Project) -> int:
    return (
        session.scalar(select(func.count()).where(Document.project_id == project.id))
        or 0
    )
