"""Crafted callback requests get a 400 with one line, never a 500, on every callback of the
internal app (components/callback_guard.py); what the app itself sends still works."""
from __future__ import annotations

import pytest

from callback_fuzz import malformed
from settings import Settings


@pytest.fixture(scope="module")
def client(demo_db, tmp_path_factory):
    from app import create_app

    ledger = f"sqlite:///{tmp_path_factory.mktemp('guard') / 'ledger.sqlite3'}"
    app = create_app(Settings(db_path=demo_db, ledger_url=ledger))  # no sign-in: the guard alone
    c = app.server.test_client()
    assert c.get("/_dash-dependencies").status_code == 200  # registers the pages' callbacks
    return app, c


def test_every_malformed_callback_request_is_a_400_with_one_line(client):
    app, c = client
    cases = list(malformed(app.callback_map))
    assert len(cases) > 300
    wrong = {}
    for what, body, must_refuse in cases:
        r = c.post("/_dash-update-component", json=body)
        if r.status_code == 400:
            if "\n" in r.get_json()["error"]:
                wrong[what] = "a 400 of several lines"
        elif must_refuse or r.status_code >= 500:
            wrong[what] = r.status_code
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())


def test_a_meeting_date_of_2026_13_45_is_named_in_the_400(client):
    app, c = client
    output = next(k for k, v in app.callback_map.items() if any(i["id"] == "mt-pdf-btn" for i in v["inputs"]))
    body = {"output": output, "outputs": [{"id": "mt-pdf", "property": "data"}, {"id": "mt-pdf-status", "property": "children"}],
            "inputs": [{"id": "mt-pdf-btn", "property": "n_clicks", "value": 1}],
            "state": [{"id": "mt-meeting", "property": "data", "value": "2026-13-45"}], "changedPropIds": ["mt-pdf-btn.n_clicks"]}
    r = c.post("/_dash-update-component", json=body)
    assert r.status_code == 400
    assert r.get_json() == {"error": "bad callback request: state mt-meeting.data: expected a date YYYY-MM-DD"}
    body["state"][0]["value"] = "2026-11-16"
    assert c.post("/_dash-update-component", json=body).status_code == 200  # the real request still works


def test_the_public_site_answers_crafted_callback_requests_with_a_400_too(demo_db):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, mode="public"))
    c = app.server.test_client()
    assert c.get("/_dash-dependencies").status_code == 200
    wrong = {}
    for what, body, must_refuse in malformed(app.callback_map):
        r = c.post("/_dash-update-component", json=body)
        if r.status_code >= 500 or (must_refuse and r.status_code != 400):
            wrong[what] = r.status_code
    assert wrong == {}, "\n".join(f"{k}: {v}" for k, v in wrong.items())
