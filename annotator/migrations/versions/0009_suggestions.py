"""suggestions: cue lexicons, settings, suggesters, decisions

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 12:40:00

Per project: cue lexicon versions (each save a new one), the suggestion mode
(off, on, calibrate) with the calibration share, and the registered
suggesters (rules, spancat, http). Per annotator: each accepted or rejected
suggestion. A span gets origin 'suggested' and the suggester's name and
version when it came from an accepted suggestion.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
NARROW = "origin IN ('manual', 'imported')"
WIDE = "origin IN ('manual', 'imported', 'suggested')"


def _set_origin_check(old: str, new: str) -> None:
    """Swap the spans' origin CHECK. On SQLite not by a batch copy of spans:
    dropping the old table would cascade into span_links and the gold
    layer. SQLite documents editing the stored schema for changes that leave
    the stored rows valid (ALTER TABLE, "other kinds of table schema
    changes"); widening or narrowing this CHECK is one, once no row holds a
    removed value."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_spans_origin_known"), "spans", type_="check")
        op.create_check_constraint(op.f("ck_spans_origin_known"), "spans", new)
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
        "WHERE type = 'table' AND name = 'spans'",
        (old, new),
    )
    bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    stored = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'spans'"
    ).scalar_one()
    if new not in stored:
        raise RuntimeError(f"spans: could not set the CHECK to {new}")


def upgrade() -> None:
    op.add_column("spans", sa.Column("suggester", sa.String(length=80), nullable=True))
    op.add_column(
        "spans", sa.Column("suggester_version", sa.String(length=80), nullable=True)
    )
    _set_origin_check(NARROW, WIDE)
    op.create_table(
        "cue_lexicon_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("lexicon", JSON, nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "number >= 1", name=op.f("ck_cue_lexicon_versions_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_cue_lexicon_versions_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_cue_lexicon_versions_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cue_lexicon_versions")),
        sa.UniqueConstraint(
            "project_id",
            "number",
            name=op.f("uq_cue_lexicon_versions_project_id_number"),
        ),
    )
    op.create_index(
        op.f("ix_cue_lexicon_versions_author_id"),
        "cue_lexicon_versions",
        ["author_id"],
    )
    op.create_index(
        op.f("ix_cue_lexicon_versions_project_id"),
        "cue_lexicon_versions",
        ["project_id"],
    )
    op.create_table(
        "suggestion_settings",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("calibration_share", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('off', 'on', 'calibrate')",
            name=op.f("ck_suggestion_settings_mode_known"),
        ),
        sa.CheckConstraint(
            "calibration_share >= 0 AND calibration_share <= 1",
            name=op.f("ck_suggestion_settings_share_range"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_suggestion_settings_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_suggestion_settings")),
    )
    op.create_table(
        "suggesters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.String(length=80), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('rules', 'spancat', 'http')",
            name=op.f("ck_suggesters_kind_known"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_suggesters_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggesters")),
        sa.UniqueConstraint(
            "project_id",
            "name",
            "version",
            name=op.f("uq_suggesters_project_id_name_version"),
        ),
    )
    op.create_index(op.f("ix_suggesters_project_id"), "suggesters", ["project_id"])
    op.create_table(
        "suggestion_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.String(length=32), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("suggester", sa.String(length=80), nullable=False),
        sa.Column("suggester_version", sa.String(length=80), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("span_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision IN ('accepted', 'rejected')",
            name=op.f("ck_suggestion_decisions_decision_known"),
        ),
        sa.CheckConstraint(
            '"end" > "start"', name=op.f("ck_suggestion_decisions_end_after_start")
        ),
        sa.CheckConstraint(
            '"start" >= 0', name=op.f("ck_suggestion_decisions_start_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["annotator_id"],
            ["users.id"],
            name=op.f("fk_suggestion_decisions_annotator_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_suggestion_decisions_document_id_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["span_id"],
            ["spans.id"],
            name=op.f("fk_suggestion_decisions_span_id_spans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_decisions")),
        sa.UniqueConstraint(
            "document_id",
            "annotator_id",
            "suggestion_id",
            name=op.f("uq_suggestion_decisions_document_id_annotator_id_suggestion_id"),
        ),
    )
    for column in ("annotator_id", "document_id", "span_id"):
        op.create_index(
            op.f(f"ix_suggestion_decisions_{column}"),
            "suggestion_decisions",
            [column],
        )


def downgrade() -> None:
    for column in ("annotator_id", "document_id", "span_id"):
        op.drop_index(
            op.f(f"ix_suggestion_decisions_{column}"), table_name="suggestion_decisions"
        )
    op.drop_table("suggestion_decisions")
    op.drop_index(op.f("ix_suggesters_project_id"), table_name="suggesters")
    op.drop_table("suggesters")
    op.drop_table("suggestion_settings")
    op.drop_index(
        op.f("ix_cue_lexicon_versions_project_id"), table_name="cue_lexicon_versions"
    )
    op.drop_index(
        op.f("ix_cue_lexicon_versions_author_id"), table_name="cue_lexicon_versions"
    )
    op.drop_table("cue_lexicon_versions")
    # An accepted suggestion stays the annotator's span, as a manual one.
    op.execute("UPDATE spans SET origin = 'manual' WHERE origin = 'suggested'")
    _set_origin_check(WIDE, NARROW)
    # Plain DROP COLUMN (SQLite has it since 3.35), no batch copy of spans.
    op.execute("ALTER TABLE spans DROP COLUMN suggester_version")
    op.execute("ALTER TABLE spans DROP COLUMN suggester")
