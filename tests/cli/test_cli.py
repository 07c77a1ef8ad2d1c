"""The annotator command, through Flask's CLI runner."""

import json

import pytest
from sqlalchemy import func, select

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import Assignment, AuditEvent, Document, Membership, Span, User
from annotator.services.accounts import authenticate, find_user
from tests.seed_files import seed_records, spans_per_annotator


def run(runner, *args, input=None):
    return runner.invoke(cli, list(args), input=input)


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def alpha(runner):
    assert run(runner, "create-project", "Alpha").exit_code == 0


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(path)


def test_help_lists_the_commands(runner):
    output = run(runner, "--help").output
    for command in (
        "db",
        "create-user",
        "create-project",
        "add-member",
        "import",
        "seed",
        "serve",
    ):
        assert command in output


def test_create_user_reads_the_password_from_stdin(runner, app):
    result = run(
        runner,
        "create-user",
        "carol",
        "--admin",
        "--password-stdin",
        input="kettle-orbit-sparrow\n",
    )
    assert result.exit_code == 0, result.output
    user = authenticate(db.session, "carol", "kettle-orbit-sparrow")
    assert user is not None
    assert user.is_admin


def test_create_user_refuses_a_password_argument(runner):
    result = run(runner, "create-user", "carol", "--password", "x")
    assert result.exit_code != 0


def test_duplicate_user_is_a_one_line_error(runner):
    run(
        runner,
        "create-user",
        "carol",
        "--password-stdin",
        input="kettle-orbit-sparrow\n",
    )
    result = run(
        runner,
        "create-user",
        "carol",
        "--password-stdin",
        input="kettle-orbit-sparrow\n",
    )
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: user 'carol' already exists: usernames are unique ignoring case"
    )


def test_create_project_has_the_four_default_labels(runner, app):
    result = run(runner, "create-project", "Alpha", "--annotators-per-document", "3")
    assert result.exit_code == 0, result.output
    from annotator.services.projects import find_project

    project = find_project(db.session, "Alpha")
    assert project.annotators_per_document == 3
    assert [label.name for label in project.labels] == [
        "claim",
        "denial",
        "hedge",
        "false_flag_warning",
    ]
    assert [label.hotkey for label in project.labels] == ["1", "2", "3", "4"]


def test_add_member_sets_and_changes_the_role(runner, alpha, app):
    run(
        runner,
        "create-user",
        "dana",
        "--password-stdin",
        input="kettle-orbit-sparrow\n",
    )
    assert (
        run(runner, "add-member", "Alpha", "dana", "--role", "annotator").exit_code == 0
    )
    assert (
        run(runner, "add-member", "Alpha", "dana", "--role", "reviewer").exit_code == 0
    )
    roles = db.session.scalars(select(Membership.role)).all()
    assert roles == ["reviewer"]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity == "membership")
    ).all()
    assert actions == ["create", "update"]


def test_add_member_errors_name_what_is_missing(runner, alpha):
    result = run(runner, "add-member", "Alpha", "nobody", "--role", "annotator")
    assert result.exit_code == 1
    assert "no user named 'nobody'" in result.output
    result = run(runner, "add-member", "Nope", "nobody", "--role", "annotator")
    assert "no project named 'Nope'" in result.output


def test_import_text_and_count_duplicates(runner, alpha, tmp_path):
    article = write(tmp_path, "article.txt", "Moscow denied it.\r\nKyiv said so.\n")
    result = run(runner, "import", "Alpha", article)
    assert result.exit_code == 0, result.output
    assert "Imported 1 documents" in result.output
    assert "0 skipped" in result.output
    result = run(runner, "import", "Alpha", article)
    assert "Imported 0 documents" in result.output
    assert "1 skipped as duplicates" in result.output
    stored = db.session.scalar(select(Document))
    assert stored.text == "Moscow denied it.\r\nKyiv said so.\n"


def test_import_split_paragraphs(runner, alpha, tmp_path):
    article = write(tmp_path, "a.txt", "First.\n\nSecond 👍🏽.\n")
    result = run(runner, "import", "Alpha", article, "--split", "paragraphs")
    assert result.exit_code == 0, result.output
    texts = db.session.scalars(select(Document.text).order_by(Document.id)).all()
    assert texts == ["First.", "Second 👍🏽."]


def test_import_jsonl_keeps_each_annotators_spans(runner, alpha, tmp_path):
    text = "👨‍👩‍👧 Moscow denied the attack. Russia was blamed."
    claim_start = text.index("Russia was blamed")
    denial_start = text.index("denied")
    line = {
        "id": "doc-1",
        "text": text,
        "annotations": [
            {
                "annotator": "ann-a",
                "spans": [
                    {
                        "id": "c",
                        "start": claim_start,
                        "end": len(text) - 1,
                        "label": "claim",
                    },
                    {
                        "id": "d",
                        "start": denial_start,
                        "end": denial_start + 17,
                        "label": "denial",
                        "attributes": {"source": "Moscow"},
                    },
                ],
                "links": [{"source": "d", "target": "c", "kind": "denies"}],
            },
            {
                "annotator": "ann-b",
                "spans": [
                    {"start": claim_start, "end": len(text) - 1, "label": "hedge"}
                ],
            },
        ],
    }
    path = write(tmp_path, "a.jsonl", json.dumps(line, ensure_ascii=False) + "\n")
    result = run(runner, "import", "Alpha", path)
    assert result.exit_code == 0, result.output
    assert "3 spans" in result.output
    spans = db.session.scalars(select(Span).order_by(Span.id)).all()
    by_annotator = {}
    for span in spans:
        by_annotator.setdefault(find_annotator(span), []).append(
            (text[span.start : span.end], span.label.name)
        )
    assert by_annotator == {
        "ann-a": [("Russia was blamed", "claim"), ("denied the attack", "denial")],
        "ann-b": [("Russia was blamed", "hedge")],
    }
    denial = next(span for span in spans if span.label.name == "denial")
    assert denial.attributes == {"source": "Moscow"}
    from annotator.models import SpanLink

    link = db.session.scalar(select(SpanLink))
    assert (link.source_id, link.target_id, link.kind) == (
        denial.id,
        next(span.id for span in spans if span.label.name == "claim"),
        "denies",
    )
    assert count(Assignment) == 2
    assert find_user(db.session, "ann-a").password_hash is None


def find_annotator(span):
    return db.session.get(User, span.annotator_id).username


def test_import_csv(runner, alpha, tmp_path):
    path = write(
        tmp_path, "a.csv", 'id,title,text,outlet\n7,T,"Line one,\nline two",X\n'
    )
    result = run(runner, "import", "Alpha", path)
    assert result.exit_code == 0, result.output
    document = db.session.scalar(select(Document))
    assert (document.external_id, document.title, document.text) == (
        "7",
        "T",
        "Line one,\nline two",
    )
    assert document.meta == {"outlet": "X"}


BAD_INPUTS = [
    ("bad.txt", b"caf\xe9 au lait", "bad.txt line 1", "UTF-8"),
    ("bad.jsonl", b'{"text": "ok"}\n{"text": \n', "bad.jsonl line 2", "JSON"),
    ("bad.jsonl", b'{"title": "no text"}\n', "bad.jsonl line 1", '"text"'),
    ("bad.jsonl", b'{"text": ""}\n', "bad.jsonl line 1", '"text"'),
    (
        "bad.jsonl",
        b'{"text": "abc", "annotations": [{"annotator": "a", "spans": '
        b'[{"start": 0, "end": 9, "label": "claim"}]}]}\n',
        "bad.jsonl line 1",
        '"annotations[0].spans[0].end"',
    ),
    (
        "bad.jsonl",
        b'{"text": "abc", "annotations": [{"annotator": "a", "spans": '
        b'[{"start": 2, "end": 2, "label": "claim"}]}]}\n',
        "bad.jsonl line 1",
        '"annotations[0].spans[0].end"',
    ),
    (
        "bad.jsonl",
        b'{"text": "abc", "annotations": [{"annotator": "a", "spans": '
        b'[{"start": 0, "end": 2, "label": "rumour"}]}]}\n',
        "bad.jsonl line 1",
        "unknown label 'rumour'",
    ),
    ("bad.docx", b"PK", "bad.docx", ".txt, .jsonl, .csv"),
    ("bad.csv", b"title\nno text column\n", "bad.csv line 1", '"text"'),
]


@pytest.mark.parametrize(("name", "content", "where", "what"), BAD_INPUTS)
def test_bad_input_names_file_line_and_field_and_stores_nothing(
    runner, alpha, tmp_path, name, content, where, what
):
    good = write(tmp_path, "good.txt", "A good article.")
    bad = write(tmp_path, name, content)
    result = run(runner, "import", "Alpha", good, bad)
    assert result.exit_code == 1
    assert where in result.output
    assert what in result.output
    assert count(Document) == 0
    assert count(Span) == 0


def test_file_over_the_size_limit_is_refused(runner, alpha, tmp_path, app):
    app.config["MAX_UPLOAD_MB"] = 1
    big = write(tmp_path, "big.txt", "x" * (1024 * 1024 + 10))
    result = run(runner, "import", "Alpha", big)
    assert result.exit_code == 1
    assert "big.txt" in result.output
    assert count(Document) == 0


def test_changed_text_under_an_existing_id_is_an_error(runner, alpha, tmp_path):
    first = write(tmp_path, "a.jsonl", '{"id": "x", "text": "Original."}\n')
    run(runner, "import", "Alpha", first)
    changed = write(tmp_path, "b.jsonl", '{"id": "x", "text": "Rewritten."}\n')
    result = run(runner, "import", "Alpha", changed)
    assert result.exit_code == 1
    assert "b.jsonl line 1" in result.output
    assert "already exists with a different text" in result.output
    assert db.session.scalar(select(Document.text)) == "Original."


def test_seed_is_idempotent(runner, app):
    first = run(runner, "seed")
    assert first.exit_code == 0, first.output
    second = run(runner, "seed")
    assert second.exit_code == 0, second.output
    n_documents = len(seed_records())
    assert f"0 documents added, {n_documents} already there" in second.output
    assert count(Document) == n_documents
    stored = db.session.execute(
        select(User.username, func.count())
        .join(Span, Span.annotator_id == User.id)
        .group_by(User.username)
    ).all()
    assert dict(stored) == spans_per_annotator()
    for name in ("admin", "alice", "bob", "rita"):
        assert authenticate(db.session, name, f"demo-{name}-pass") is not None


def test_db_upgrade_runs_on_an_existing_database(runner, alpha):
    result = run(runner, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert count(Membership) == 0
    from annotator.models import Project

    assert count(Project) == 1


def test_serve_binds_localhost_by_default(runner):
    output = run(runner, "serve", "--help").output
    assert "127.0.0.1" in output


def test_a_name_differing_only_in_case_is_refused(runner, app):
    create = ("create-user", "--password-stdin")
    assert run(runner, *create, "carol", input="kettle-orbit-sparrow\n").exit_code == 0
    result = run(runner, *create, "Carol", input="kettle-orbit-sparrow\n")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: user 'Carol' already exists (as 'carol'): usernames are unique "
        "ignoring case"
    )
    assert count(User) == 1
