"""``annotator set-queue-order PROJECT --order in-order|random|uncertainty
[--seed N]``."""

import pytest

from annotator.cli import cli
from annotator.extensions import db
from annotator.models import DocumentUncertainty
from annotator.services.documents import import_files


def set_order(runner, *args):
    return runner.invoke(cli, ["set-queue-order", *args])


def test_random_with_a_seed_then_without_keeps_it(runner, project):
    result = set_order(runner, "Alpha", "--order", "random", "--seed", "42")
    assert result.exit_code == 0, result.output
    assert result.output == "Queue order of Alpha: random (seed 42).\n"
    assert set_order(runner, "Alpha", "--order", "in-order").output == (
        "Queue order of Alpha: in-order.\n"
    )
    again = set_order(runner, "Alpha", "--order", "random")
    assert again.output == "Queue order of Alpha: random (seed 42).\n"
    db.session.expire_all()
    assert (project.queue_order, project.queue_seed) == ("random", 42)


def test_random_without_any_seed_draws_one(runner, project):
    result = set_order(runner, "Alpha", "--order", "random")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert project.queue_seed is not None
    assert f"(seed {project.queue_seed})" in result.output


def test_uncertainty_without_a_model_says_to_train_first(runner, project):
    result = set_order(runner, "Alpha", "--order", "uncertainty")
    assert result.exit_code == 1
    assert "no trained model has scored the documents of Alpha yet" in result.output
    assert "annotator train 'Alpha'" in result.output
    db.session.expire_all()
    assert project.queue_order == "in-order"


def test_uncertainty_once_scored_names_the_model(runner, project):
    import_files(db.session, project, [("a.txt", b"Officials reportedly said so.")])
    db.session.add(
        DocumentUncertainty(
            document_id=1,
            project_id=project.id,
            suggester="spancat",
            suggester_version="abc123",
            proposals=2,
            margin=0.2,
        )
    )
    db.session.commit()
    result = set_order(runner, "Alpha", "--order", "uncertainty")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Queue order of Alpha: uncertainty (model spancat abc123: 1 of 1 scored "
        "documents with proposals).\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Nope", "--order", "random"], "Nope"),
        (["Alpha", "--order", "shuffled"], "shuffled"),
        (["Alpha", "--order", "random", "--seed", "-1"], "-1"),
        (["Alpha", "--order", "random", "--seed", "2147483647"], "2147483647"),
        (["Alpha"], "--order"),
    ],
)
def test_bad_input_is_refused(runner, project, args, message):
    result = set_order(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    db.session.expire_all()
    assert project.queue_order == "in-order"
