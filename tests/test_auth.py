"""Internal sign-in over HTTP (Flask's test client on the real app, a real SQLite users store,
the small demo warehouse): anonymous requests get nothing, passwords and roles work, the session
cookie is locked down, writes need the CSRF token, and the proxy's identity header is trusted
only when configured.
"""
from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import dash
import pytest
from dash import Input, Output

import auth
from settings import Settings, SettingsError
from store import Users, open_store

KEY = "k" * 40
PASSWORDS = {"vera": "viewer-pass-1", "andy": "analyst-pass-2", "edie": "editor-pass-3", "adam": "admin-pass-4"}
ROLES = {"vera": "viewer", "andy": "analyst", "edie": "editor", "adam": "admin"}
NOT_SIGNED_IN = {"error": "sign-in required"}


@pytest.fixture(scope="module")
def ledger_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('auth') / 'ledger.sqlite3'}"
    users = Users(open_store(url))
    for name, role in ROLES.items():
        users.add_user(name, role, PASSWORDS[name])
    users.add_user("sso.sam@seattle.gov", "editor", None)  # single sign-on only
    users.add_user("sso.vic@seattle.gov", "viewer", None)
    return url


def build(demo_db, ledger_url, **kw):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True, secret_key=KEY, **kw))
    # A write callback like the meeting page's: the role check is the callback's own.
    @app.callback(Output("auth-test-out", "children"), Input("auth-test-btn", "n_clicks"), prevent_initial_call=True)
    def write_something(n):
        user = auth.require("write_ledger")
        return f"saved by {user.username}"
    return app


@pytest.fixture(scope="module")
def app(demo_db, ledger_url):
    return build(demo_db, ledger_url)


def csrf_from(html: str) -> str:
    return re.search(r"name='csrf_token' value='([^']+)'", html).group(1)


def sign_in(client, name, password=None, next_url="/"):
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    return client.post("/auth/login", data={"csrf_token": token, "username": name,
                                            "password": PASSWORDS[name] if password is None else password,
                                            "next": next_url})


def signed_in(app, name, base_url="http://localhost"):
    client = app.server.test_client()
    client.environ_base["HTTP_HOST"] = urlsplit(base_url).netloc
    client.environ_base["wsgi.url_scheme"] = urlsplit(base_url).scheme
    assert sign_in(client, name).status_code == 302
    return client


def csrf_cookie(client) -> str:
    return client.get_cookie("_csrf_token").value


WRITE_BODY = {"output": "auth-test-out.children", "outputs": {"id": "auth-test-out", "property": "children"},
              "inputs": [{"id": "auth-test-btn", "property": "n_clicks", "value": 1}],
              "changedPropIds": ["auth-test-btn.n_clicks"], "state": []}


def write(client, token="from-cookie"):
    headers = {} if token is None else {"X-CSRFToken": csrf_cookie(client) if token == "from-cookie" else token}
    return client.post("/_dash-update-component", json=WRITE_BODY, headers=headers)


# --- anonymous requests get nothing -------------------------------------------------------------

def page_urls():
    urls = []
    for page in dash.page_registry.values():
        template = page.get("path_template")
        urls.append(re.sub(r"<[^>]+>", "x", template) if template else page["path"])
    return urls


def test_every_page_redirects_an_anonymous_visitor_to_sign_in(app):
    client = app.server.test_client()
    urls = page_urls() + ["/goals/safe_neighborhoods", "/measures/person_crimes?period=7d&area=N", "/no/such/page"]
    assert {"/", "/neighborhoods", "/data", "/goals/x", "/measures/x"} <= set(urls)
    for url in urls:
        r = client.get(url)
        assert r.status_code == 302, url
        target = urlsplit(r.headers["Location"])
        assert target.path == "/auth/login"
        assert parse_qs(target.query)["next"] == [url], url
        assert b"SeaStat" not in r.data and b"_dash" not in r.data  # not the app's page


def test_every_callback_and_dash_route_refuses_an_anonymous_request(app):
    # Signed in, the app lists its callbacks; anonymous, none of them runs.
    editor = signed_in(app, "edie")
    listed = editor.get("/_dash-dependencies").get_json()
    index = editor.get("/").get_data(as_text=True)
    assert {d["output"] for d in listed} == set(app.callback_map)
    assert "auth-test-out.children" in app.callback_map and len(app.callback_map) >= 5

    anonymous = app.server.test_client()
    for output, spec in app.callback_map.items():
        body = {"output": output, "outputs": [], "changedPropIds": [], "state": [],
                "inputs": [{"id": i["id"], "property": i["property"], "value": None} for i in spec["inputs"]]}
        r = anonymous.post("/_dash-update-component", json=body)
        assert (r.status_code, r.get_json()) == (401, NOT_SIGNED_IN), output
        assert r.headers["X-SeaStat-Signin"] == "/auth/login"

    suite = re.search(r'src="(/_dash-component-suites/[^"]+)"', index).group(1)
    for url in ["/_dash-layout", "/_dash-dependencies", "/_reload-hash", suite, "/assets/app.css", "/assets/maps.js"]:
        r = anonymous.get(url)
        assert (r.status_code, r.get_json()) == (401, NOT_SIGNED_IN), url
        assert editor.get(url).status_code == 200, url  # the same URL works once signed in


def test_only_the_sign_in_page_its_stylesheet_and_the_health_check_are_open(app):
    client = app.server.test_client()
    assert client.get("/healthz").get_json()["status"] == "ok"
    page = client.get("/auth/login")
    assert page.status_code == 200 and "<form method='post'" in page.get_data(as_text=True)
    assert client.get("/assets/bootstrap.min.css").status_code == 200
    assert client.get("/auth/logout").status_code == 302  # nobody to sign out: back to the sign-in page


# --- passwords ----------------------------------------------------------------------------------

def test_right_password_signs_in_and_returns_to_the_page_asked_for(app):
    client = app.server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    r = sign_in(client, "vera", next_url="/measures/person_crimes?period=7d")
    assert (r.status_code, r.headers["Location"]) == (302, "/measures/person_crimes?period=7d")
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/auth/login").headers["Location"] == "/"  # already signed in


@pytest.mark.parametrize("name, password", [
    ("vera", "viewer-pass-2"),          # wrong password
    ("nobody", "viewer-pass-1"),        # no such user
    ("vera", ""),                       # empty password
    ("sso.sam@seattle.gov", "anything-at-all"),  # single sign-on account: no local password
])
def test_wrong_credentials_do_not_sign_in(app, name, password):
    client = app.server.test_client()
    r = sign_in(client, name, password)
    assert r.status_code == 401
    assert "Wrong username or password." in r.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


def test_username_is_kept_and_escaped_on_a_failed_sign_in(app):
    client = app.server.test_client()
    r = sign_in(client, "vera", "nope-nope")
    assert "value='vera'" in r.get_data(as_text=True)
    r = client.post("/auth/login", data={"csrf_token": csrf_cookie(client), "username": "<script>x</script>",
                                         "password": "whatever1"})
    assert "<script>x" not in r.get_data(as_text=True) and "&lt;script&gt;x" in r.get_data(as_text=True)


def test_sign_in_form_without_its_token_is_refused(app):
    client = app.server.test_client()
    client.get("/auth/login")
    r = client.post("/auth/login", data={"username": "vera", "password": PASSWORDS["vera"]})
    assert r.status_code == 400 and "expired" in r.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize("next_url", ["//evil.example/x", "https://evil.example/", "/\\evil.example",
                                      "javascript:alert(1)", "/auth/logout", "\t//evil.example"])
def test_next_never_leads_off_the_site(app, next_url):
    r = sign_in(app.server.test_client(), "vera", next_url=next_url)
    assert r.headers["Location"] == "/"


def test_sign_out_needs_the_token_and_ends_the_session(app):
    client = signed_in(app, "vera")
    assert client.post("/auth/logout", data={}).status_code == 200  # no token: asks again, still signed in
    assert client.get("/_dash-layout").status_code == 200
    confirm = client.get("/auth/logout").get_data(as_text=True)
    r = client.post("/auth/logout", data={"csrf_token": csrf_from(confirm)})
    assert "You are signed out." in r.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert client.get_cookie("_csrf_token") is None


def test_disabling_or_changing_an_account_ends_its_sessions(demo_db, tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    users = Users(open_store(url))
    users.add_user("vera", "viewer", PASSWORDS["vera"])
    users.add_user("edie", "editor", PASSWORDS["edie"])
    app = build(demo_db, url)
    vera, edie = signed_in(app, "vera"), signed_in(app, "edie")
    users.set_active("vera", False)
    users.set_role("edie", "viewer")
    assert vera.get("/_dash-layout").status_code == 401
    assert edie.get("/_dash-layout").status_code == 401
    assert sign_in(app.server.test_client(), "vera").status_code == 401  # disabled: cannot sign in again
    edie = signed_in(app, "edie")
    assert write(edie).status_code == 403  # signed in again, with the new role


# --- cookies ------------------------------------------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    """name -> the whole Set-Cookie line."""
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def cookie_flags(line: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}


def test_session_cookie_is_secure_httponly_samesite_on_https(app):
    client = app.server.test_client()
    client.get("/auth/login", base_url="https://seastat.seattle.example")
    token = client.get_cookie("_csrf_token", domain="seastat.seattle.example").value
    r = client.post("/auth/login", base_url="https://seastat.seattle.example",
                    data={"csrf_token": token, "username": "vera", "password": PASSWORDS["vera"]})
    cookies = set_cookies(r)
    session = cookies["seastat_session"]
    assert {"secure", "httponly", "samesite", "expires"} <= cookie_flags(session)
    assert "SameSite=Lax" in session
    csrf = cookies["_csrf_token"]
    assert "secure" in cookie_flags(csrf) and "httponly" not in cookie_flags(csrf)  # Dash's script reads it
    # The session ends 8 hours after sign-in: the cookie says so too.
    morsel = SimpleCookie(session)["seastat_session"]
    assert morsel["expires"]


def test_plain_http_on_localhost_gets_a_cookie_the_browser_keeps(app, demo_db, ledger_url):
    r = sign_in(app.server.test_client(), "vera")  # http://localhost
    assert "secure" not in cookie_flags(set_cookies(r)["seastat_session"])
    strict = build(demo_db, ledger_url, secure_cookies="on")
    r = sign_in(strict.server.test_client(), "vera")
    assert "secure" in cookie_flags(set_cookies(r)["seastat_session"])


def test_a_forged_session_cookie_is_ignored(app):
    client = app.server.test_client()
    client.set_cookie("seastat_session", "eyJ1c2VyIjoiYWRhbSJ9.AAAAAA.forged", domain="localhost")
    assert client.get("/_dash-layout").status_code == 401


# --- CSRF and roles on writes -------------------------------------------------------------------

def test_a_write_without_the_csrf_token_is_refused(app):
    editor = signed_in(app, "edie")
    for token in (None, "", "not-the-token", csrf_from(app.server.test_client().get("/auth/login").get_data(as_text=True))):
        r = write(editor, token)
        assert r.status_code == 403, token
        assert "CSRF" in r.get_json()["error"]
    r = write(editor)
    assert r.status_code == 200
    assert r.get_json()["response"]["auth-test-out"]["children"] == "saved by edie"


@pytest.mark.parametrize("name, can_write", [("vera", False), ("andy", False), ("edie", True), ("adam", True)])
def test_only_editors_and_admins_write_the_ledger(app, name, can_write):
    r = write(signed_in(app, name))
    if can_write:
        assert r.status_code == 200 and f"saved by {name}" in r.get_data(as_text=True)
    else:
        assert r.status_code == 403
        assert "saved by" not in r.get_data(as_text=True)


def test_require_names_the_role_and_refuses_unknown_actions(app):
    with app.server.test_request_context("/"):
        with pytest.raises(ValueError, match="action: 'delete_everything'"):
            auth.require("delete_everything")
    client = signed_in(app, "andy")
    with client.application.test_request_context("/", headers={"Cookie": f"seastat_session={client.get_cookie('seastat_session').value}"}):
        assert auth.current_user().username == "andy"
        assert auth.allowed("download") and not auth.allowed("write_ledger")
        with pytest.raises(auth.Forbidden, match="andy is an analyst, who may not write ledger"):
            auth.require("write_ledger")
        menu = str(auth.user_menu())
        assert "andy" in menu and "(analyst)" in menu and "/auth/logout" in menu
    with app.server.test_request_context("/"):
        assert auth.current_user() is None and auth.user_menu() is None


def test_apps_without_sign_in(demo_db, ledger_url):
    from app import create_app

    demo = create_app(Settings(db_path=demo_db, ledger_url=ledger_url))  # auth off: the local demo, tests
    with demo.server.test_request_context("/"):
        assert auth.current_user() is None and auth.require("write_ledger") is None
    assert demo.server.test_client().get("/_dash-layout").status_code == 200
    # Served by anything but the development server, auth off is refused.
    r = demo.server.test_client().get("/_dash-layout", environ_base={"SERVER_SOFTWARE": "gunicorn/27.0.1"})
    assert r.status_code == 500 and "SEASTAT_AUTH=off" in r.get_json()["error"]
    public = dash.Dash(__name__, server=True)
    from components.engine_access import SETTINGS_KEY
    public.server.config[SETTINGS_KEY] = Settings(mode="public")
    with public.server.test_request_context("/"):
        assert auth.require("download") is None
        with pytest.raises(auth.Forbidden, match="public site is read-only"):
            auth.require("write_ledger")


# --- the proxy's identity header ----------------------------------------------------------------

@pytest.fixture(scope="module")
def sso_app(demo_db, ledger_url):
    return build(demo_db, ledger_url, trusted_header="X-Forwarded-User")


def test_trusted_header_signs_in_the_named_user_when_configured(sso_app):
    client = sso_app.server.test_client()
    sam = {"X-Forwarded-User": "SSO.Sam@seattle.gov"}
    assert client.get("/_dash-layout", headers=sam).status_code == 200
    r = client.post("/_dash-update-component", json=WRITE_BODY, headers={**sam, "X-CSRFToken": csrf_cookie(client)})
    assert "saved by sso.sam@seattle.gov" in r.get_data(as_text=True)
    # The same browser, now as a viewer: a new session (Sam's token no longer counts) and no writing.
    sams_token = csrf_cookie(client)
    vic = {"X-Forwarded-User": "sso.vic@seattle.gov"}
    assert client.get("/_dash-layout", headers=vic).status_code == 200
    assert csrf_cookie(client) != sams_token
    r = client.post("/_dash-update-component", json=WRITE_BODY, headers={**vic, "X-CSRFToken": csrf_cookie(client)})
    assert r.status_code == 403 and "sso.vic@seattle.gov is a viewer, who may not write ledger" in r.get_data(as_text=True)


def test_trusted_header_missing_or_unknown_is_refused(sso_app):
    client = sso_app.server.test_client()
    assert client.get("/_dash-layout").status_code == 401
    r = client.get("/_dash-layout", headers={"X-Forwarded-User": "mallory"})
    assert r.status_code == 403 and "'mallory', who has no active SeaStat account" in r.get_json()["error"]
    page = client.get("/auth/login", headers={"X-Forwarded-User": "mallory"})
    assert page.status_code == 403 and "mallory" in page.get_data(as_text=True)


def test_trusted_header_mode_ignores_local_passwords(sso_app):
    client = sso_app.server.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    assert "single sign-on" in page and "password" not in page.lower()
    r = client.post("/auth/login", data={"username": "vera", "password": PASSWORDS["vera"]})
    assert r.status_code == 401
    assert client.get("/_dash-layout").status_code == 401


def test_identity_header_is_ignored_unless_configured(app):
    client = app.server.test_client()
    assert client.get("/_dash-layout", headers={"X-Forwarded-User": "adam"}).status_code == 401
    assert client.get("/", headers={"X-Forwarded-User": "adam"}).status_code == 302


# --- keys and servers ---------------------------------------------------------------------------

def test_a_short_secret_key_or_bad_header_name_stops_start_up(demo_db, ledger_url):
    from app import create_app

    with pytest.raises(SettingsError, match="SEASTAT_SECRET_KEY: at least 32 characters"):
        create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True, secret_key="short"))
    with pytest.raises(SettingsError, match="SEASTAT_TRUSTED_HEADER='X Forwarded User'"):
        create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True, secret_key=KEY,
                            trusted_header="X Forwarded User"))
    with pytest.raises(SettingsError, match="SEASTAT_TRUSTED_PROXIES is none: nobody could sign in"):
        create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True, secret_key=KEY,
                            trusted_header="X-Forwarded-User", trusted_proxies=()))


def test_without_a_secret_key_only_the_development_server_may_serve(demo_db, ledger_url):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True))
    client = app.server.test_client()
    assert sign_in(client, "vera").status_code == 302  # a random per-process key
    assert client.get("/_dash-layout", environ_base={"SERVER_SOFTWARE": "Werkzeug/3.1.3"}).status_code == 200
    r = client.get("/_dash-layout", environ_base={"SERVER_SOFTWARE": "waitress"})
    assert r.status_code == 500 and "SEASTAT_SECRET_KEY is not set" in r.get_json()["error"]
    assert json.dumps(r.get_json()).count("\\n") == 0


# --- the meeting page's own ledger write (pages/meeting.py) --------------------------------------

def meeting_save_body(app) -> dict:
    """The body Dash's renderer posts when Save is clicked on the 2026-11-16 meeting page."""
    output, spec = next((k, v) for k, v in app.callback_map.items()
                        if any(i["id"] == "mt-save" for i in v["inputs"]))
    values = {"mt-kind": "action", "mt-text": "Extra patrols near the market", "mt-owner": "West Precinct",
              "mt-due": "2026-11-27", "mt-measure": None, "mt-area": None, "mt-notes": "",
              "mt-meeting": "2026-11-16", "mt-versions": {}}
    outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in output.strip(".").split("...")]
    return {"output": output, "outputs": outputs, "changedPropIds": ["mt-save.n_clicks"],
            "inputs": [{"id": "mt-save", "property": "n_clicks", "value": 1}],
            "state": [{**s, "value": values[s["id"]]} for s in spec["state"]]}


def test_a_viewer_cannot_write_the_meeting_ledger_and_an_editor_is_its_author(demo_db, tmp_path):
    from engine import Engine
    from store import Ledger

    url = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    users = Users(open_store(url))
    users.add_user("vera", "viewer", PASSWORDS["vera"])
    users.add_user("edie", "editor", PASSWORDS["edie"])
    app = build(demo_db, url)
    vera, edie = signed_in(app, "vera"), signed_in(app, "edie")
    vera.get("/_dash-dependencies")  # the first request registers the pages' callbacks
    body = meeting_save_body(app)
    eng = Engine.open(Settings(db_path=demo_db))
    ledger = Ledger(open_store(url), eng.city, eng.catalog.measures.keys())

    r = vera.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(vera)})
    assert "Not saved. Your role (viewer) can read the ledger but not record or change items" in r.get_data(as_text=True)
    assert ledger.items(meeting_date="2026-11-16") == []
    assert edie.post("/_dash-update-component", json=body).status_code == 403  # an editor, but no CSRF token
    assert ledger.items(meeting_date="2026-11-16") == []

    r = edie.post("/_dash-update-component", json=body, headers={"X-CSRFToken": csrf_cookie(edie)})
    assert r.status_code == 200, r.get_data(as_text=True)
    [item] = ledger.items(meeting_date="2026-11-16")
    assert item.text == "Extra patrols near the market"
    assert [h.changed_by for h in ledger.history(item.id)] == ["edie"]


def test_a_users_store_that_cannot_be_opened_is_named_in_one_line(demo_db):
    client = build(demo_db, "nosuchdb://nowhere").server.test_client()
    assert client.get("/_dash-layout").status_code == 401  # anonymous: refused without asking the store
    page = client.post("/auth/login", data={"csrf_token": csrf_from(client.get("/auth/login").get_data(as_text=True)),
                                            "username": "vera", "password": PASSWORDS["vera"]})
    text = page.get_data(as_text=True)
    assert page.status_code == 503
    assert "Sign-in is unavailable: ledger nosuchdb://nowhere: no SQLAlchemy dialect for &#39;nosuchdb&#39;" in text
    sso = build(demo_db, "nosuchdb://nowhere", trusted_header="X-Forwarded-User").server.test_client()
    r = sso.get("/_dash-layout", headers={"X-Forwarded-User": "vera"})
    assert r.status_code == 503
    assert r.get_json() == {"error": "sign-in is unavailable: ledger nosuchdb://nowhere: no SQLAlchemy dialect for 'nosuchdb'"}


@pytest.mark.slow
def test_repeated_wrong_passwords_pause_that_username_only(demo_db, ledger_url):
    import time

    from auth.state import STATE_KEY

    app = build(demo_db, ledger_url)
    client = app.server.test_client()
    for _ in range(4):
        assert sign_in(client, "andy", "guess-guess").status_code == 401
    assert sign_in(client, "andy").status_code == 302  # a right password clears the count
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "Andy", "guess-guess").status_code == 401
    r = sign_in(client, "andy")  # the right password, but too late: not even checked
    assert r.status_code == 429
    assert "Too many wrong passwords for this username: try again in 15 minute(s)." in r.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 401
    assert sign_in(app.server.test_client(), "vera").status_code == 302  # other names are not affected
    app.server.config[STATE_KEY].throttle.window = 1.0  # the pause ends when the failures are old enough
    time.sleep(1.1)
    assert sign_in(client, "andy").status_code == 302


@pytest.mark.slow  # 10,001 store writes: ~40 s on SQLite
def test_a_flood_of_made_up_names_does_not_free_a_paused_name(demo_db, ledger_url):
    """Finding 11: 10,001 made-up names used to clear every count, so a paused name could be
    guessed again at once. Now the oldest failures go first, and only past a bound far larger."""
    from auth.state import STATE_KEY

    app = build(demo_db, ledger_url)
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "edie", "guess-guess").status_code == 401
    throttle = app.server.config[STATE_KEY].throttle
    with app.server.app_context():  # the store is the app's
        for i in range(10_001):
            throttle.failed(f"made-up-{i}")
    r = sign_in(client, "edie")
    assert r.status_code == 429, "the flood freed a paused name"
    assert sign_in(app.server.test_client(), "adam").status_code == 302
    with app.server.app_context():
        throttle.succeeded("edie")


def test_framing_is_refused_internally_and_public_pages_follow_the_setting(demo_db, app):
    from app import create_app

    for path in ("/auth/login", "/_dash-layout", "/assets/app.css"):
        r = app.server.test_client().get(path)
        assert (r.headers["X-Frame-Options"], r.headers["Content-Security-Policy"]) == ("DENY", "frame-ancestors 'none'")
    public = create_app(Settings(db_path=demo_db, mode="public")).server.test_client()
    r = public.get("/")
    assert (r.headers["X-Frame-Options"], r.headers["Content-Security-Policy"]) == ("DENY", "frame-ancestors 'none'")
    city = create_app(Settings(db_path=demo_db, mode="public", public_frame_ancestors=("https://www.seattle.gov",)))
    r = city.server.test_client().get("/api/v1/measures")
    assert r.headers["Content-Security-Policy"] == "frame-ancestors https://www.seattle.gov"
    assert "X-Frame-Options" not in r.headers  # it cannot name an origin; the CSP says who may
    with pytest.raises(SettingsError, match="SEASTAT_PUBLIC_FRAME_ANCESTORS: 'https://x.example;' is not an origin"):
        Settings.from_env({"SEASTAT_PUBLIC_FRAME_ANCESTORS": "https://x.example; script-src *"})


def test_sessions_and_the_throttle_work_on_a_postgresql_store(demo_db, pg_server):
    """The same sign-in, sign-out and throttle on a server database shared by hosts; a username
    with a NUL (which PostgreSQL refuses in text) is just a wrong name, not a 500."""
    url = pg_server.new_database()
    Users(open_store(url)).add_user("vera", "viewer", PASSWORDS["vera"])
    app = build(demo_db, url)
    client = signed_in(app, "vera")
    saved = client.get_cookie("seastat_session").value
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/auth/logout", data={"csrf_token": csrf_cookie(client)}).status_code == 200
    replay = app.server.test_client()
    replay.set_cookie("seastat_session", saved)
    assert replay.get("/_dash-layout").status_code == 401
    assert sign_in(app.server.test_client(), "vera\x00", PASSWORDS["vera"]).status_code == 401  # counts for vera
    for _ in range(4):
        assert sign_in(app.server.test_client(), "vera", "guess\x00guess").status_code == 401
    assert sign_in(app.server.test_client(), "vera").status_code == 429
