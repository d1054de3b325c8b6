"""/subscriptions: a signed-in user chooses what the pre-meeting digest covers and where it goes;
the choice is what `ops digest` then sends (store/subscriptions.py). Signed out, it is refused."""
from __future__ import annotations

import re

import pytest

from settings import Settings
from store import Users, open_store
from store.subscriptions import Subscriptions


@pytest.fixture
def site(demo_db, tmp_path):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    Users(store).add_user("ann", "viewer", "a long password")
    app = create_app(Settings(db_path=demo_db, ledger_url=url, auth=True, secret_key="s" * 40))
    yield app.server.test_client(), store
    store.close()


def token(html: str) -> str:
    return re.search(r"name='csrf_token' value='([^']+)'", html).group(1)


def test_a_user_picks_goals_and_measures_and_the_address_and_sees_them_kept(site):
    client, store = site
    assert client.get("/subscriptions").status_code == 302  # signed out: to the sign-in page
    login = client.get("/auth/login").get_data(as_text=True)
    assert client.post("/auth/login", data={"csrf_token": token(login), "username": "ann",
                                            "password": "a long password", "next": "/"}).status_code == 302
    page = client.get("/subscriptions").get_data(as_text=True)
    assert "<legend class='h6'>Safe neighborhoods</legend>" in page and "All of Safe neighborhoods" in page
    assert "value='measure:robberies'" in page and "checked" not in page
    form = {"csrf_token": token(page), "email": "Ann@Example.org", "follow": ["goal:safe_neighborhoods", "measure:robberies"]}
    assert client.post("/subscriptions", data={**form, "csrf_token": "forged"}).status_code == 403
    saved = client.post("/subscriptions", data=form)
    assert saved.status_code == 200 and "id='subs-saved'" in saved.get_data(as_text=True)
    assert [(s.email, s.kind, s.target) for s in Subscriptions(store).all()] == [
        ("ann@example.org", "goal", "safe_neighborhoods"), ("ann@example.org", "measure", "robberies")]
    again = client.get("/subscriptions").get_data(as_text=True)
    assert "value='ann@example.org'" in again and re.search(r"value='measure:robberies' id='[^']+' checked", again)
    fewer = client.post("/subscriptions", data={**form, "follow": ["measure:robberies"]})
    assert fewer.status_code == 200 and [s.target for s in Subscriptions(store).all()] == ["robberies"]
    bad = client.post("/subscriptions", data={**form, "follow": ["measure:no_such"]})
    assert bad.status_code == 400 and "no measure &#39;no_such&#39; in the catalog" in bad.get_data(as_text=True)
    assert [s.target for s in Subscriptions(store).all()] == ["robberies"]  # a refused save changes nothing
