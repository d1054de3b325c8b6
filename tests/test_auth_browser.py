"""Signing in to the internal site in a real Chromium (dash[testing]) on the small demo warehouse.

The account is added with the operator's own command (`python -m store adduser ... --password-stdin`);
the browser is sent to the sign-in form, signs in and lands on the overview; a session that ends
while a page is open sends the next click back to the sign-in form, and then on to where it was going.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from settings import ROOT, Settings

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def ledger_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('auth_browser') / 'ledger.sqlite3'}"
    done = subprocess.run([sys.executable, "-m", "store", "--ledger", url, "adduser", "Ann", "--role", "editor",
                           "--display-name", "Ann Analyst", "--password-stdin"],
                          input=PASSWORD + "\n", cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return url


def start(dash_duo, app) -> str:
    dash_duo.start_server(app, navigate=False)  # the first page is the sign-in form, not Dash's
    return dash_duo.server.url


def wait_for_path(dash_duo, path: str, timeout=30):
    WebDriverWait(dash_duo.driver, timeout).until(
        lambda d: d.current_url.split("?")[0].rstrip("/").endswith(path.rstrip("/")))


def fill_in(dash_duo, username: str, password: str):
    driver = dash_duo.driver
    name = driver.find_element(By.ID, "auth-username")
    name.clear()
    name.send_keys(username)
    driver.find_element(By.ID, "auth-password").send_keys(password)
    driver.find_element(By.ID, "auth-submit").click()


def test_sign_in_through_the_form_shows_the_overview(dash_duo, demo_db, ledger_url):
    from app import create_app

    app = create_app(Settings(db_path=demo_db, ledger_url=ledger_url, auth=True, secret_key="b" * 40))
    base = start(dash_duo, app)
    driver = dash_duo.driver
    driver.get(base + "/")
    wait_for_path(dash_duo, "/auth/login")
    assert "next=/" in driver.current_url
    assert driver.find_elements(By.ID, "react-entry-point") == []  # not a byte of the app before sign-in

    fill_in(dash_duo, "ann", "not the password")
    assert dash_duo.wait_for_element("#auth-error").text == "Wrong username or password."
    assert driver.find_element(By.ID, "auth-username").get_attribute("value") == "ann"

    fill_in(dash_duo, "ann", PASSWORD)
    dash_duo.wait_for_element("#ov-goals", timeout=60)
    assert driver.current_url.rstrip("/") == base.rstrip("/")
    assert driver.get_cookie("seastat_session")["httpOnly"] is True
    assert driver.get_cookie("seastat_session")["sameSite"] == "Lax"
    logs = [entry for entry in dash_duo.get_logs() if "status of 401" not in entry["message"]]
    assert logs == []  # only the wrong password's 401 is in the console

    # The session ends while the page is open: the next click goes to the sign-in form and back.
    link = dash_duo.find_element("#ov-goals a")
    target = link.get_attribute("href")
    driver.delete_cookie("seastat_session")
    link.click()
    wait_for_path(dash_duo, "/auth/login")
    assert re.search(r"next=%2Fgoals%2F\w+", driver.current_url)
    fill_in(dash_duo, "ann", PASSWORD)
    wait_for_path(dash_duo, target.replace(base.rstrip("/"), ""))
    dash_duo.wait_for_element("#gl-cards", timeout=60)


def test_first_start_makes_an_admin_and_prints_its_password_once(dash_duo, demo_db, tmp_path, capfd):
    from app import create_app

    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app(Settings(db_path=demo_db, ledger_url=url, auth=True))  # no key: python app.py on a laptop
    base = start(dash_duo, app)
    driver = dash_duo.driver
    driver.get(base + "/data")
    notice = dash_duo.wait_for_element("#auth-first-start").text
    assert "an account admin was made" in notice
    printed = re.findall(r"made 'admin' \(role admin\) with password (\S+)", capfd.readouterr().err)
    assert len(printed) == 1
    driver.get(base + "/auth/login?next=/data")  # a second visit makes no second account and prints nothing
    assert re.findall(r"with password", capfd.readouterr().err) == []
    fill_in(dash_duo, "admin", printed[0])
    wait_for_path(dash_duo, "/data")
    dash_duo.wait_for_element("#dt-inventory", timeout=60)
