"""Real accounts' passwords are stored with scrypt at full cost. The other
tests hash at a tiny work factor (tests/conftest.py, cheap_password_hashing):
these put the production one back and check what a real account gets."""

import pytest
from werkzeug.security import check_password_hash

from annotator.extensions import db
from annotator.services import accounts
from tests.conftest import PASSWORD, PRODUCTION_HASH_METHOD, login

# N=2**15, r=8, p=1: werkzeug's default, about 0.1 s a hash.
FULL_COST = "scrypt:32768:8:1"


@pytest.fixture
def production_hashing(monkeypatch):
    monkeypatch.setattr(accounts, "HASH_METHOD", PRODUCTION_HASH_METHOD)


def test_the_production_work_factor_is_scrypt_at_full_cost():
    assert PRODUCTION_HASH_METHOD == FULL_COST


def test_a_new_account_is_stored_at_full_cost_and_can_log_in(
    client, production_hashing
):
    accounts.create_user(db.session, "carol", PASSWORD)
    stored = accounts.find_user(db.session, "carol").password_hash
    assert stored.startswith(f"{FULL_COST}$")
    assert PASSWORD not in stored
    assert login(client, "carol").status_code == 302


def test_a_changed_password_is_stored_at_full_cost(app, production_hashing):
    user = accounts.create_user(db.session, "carol", PASSWORD)
    accounts.set_password(db.session, user, "another long passphrase 7")
    stored = accounts.find_user(db.session, "carol").password_hash
    assert stored.startswith(f"{FULL_COST}$")
    assert check_password_hash(stored, "another long passphrase 7")


def test_an_unknown_username_is_checked_against_a_full_cost_hash(
    app, production_hashing, monkeypatch
):
    """So that a wrong username takes as long as a wrong password."""
    checked = []

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return check_password_hash(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", spy)
    assert accounts.authenticate(db.session, "nobody", PASSWORD) is None
    assert len(checked) == 1
    assert checked[0].startswith(f"{FULL_COST}$")
