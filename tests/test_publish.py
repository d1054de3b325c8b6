"""Publishing a warehouse for many hosts (etl/publish.py): immutable versioned artifacts, only complete
ones pulled, the checksum in the name checked, and /healthz naming the version the workers read."""
from __future__ import annotations

import shutil
from dataclasses import replace

import duckdb
import pytest

from etl.__main__ import main as etl_main
from etl.publish import ARTIFACT, PublishError, artifacts, local_version, publish, pull


@pytest.fixture()
def warehouse(tmp_path):
    db = tmp_path / "etl" / "seastat.duckdb"
    db.parent.mkdir()
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE crime AS SELECT 1 AS n")
    con.close()
    return db


def test_publish_names_each_version_by_time_and_checksum_and_never_touches_the_source(warehouse, tmp_path):
    shared = tmp_path / "shared"
    before = warehouse.read_bytes()
    first, second = publish(warehouse, shared), publish(warehouse, shared)
    assert ARTIFACT.match(first.name) and ARTIFACT.match(second.name)
    assert [p for _, _, p in artifacts(shared)] == [first, second]  # the newer sorts last
    assert warehouse.read_bytes() == before and local_version(warehouse) is None
    assert sorted(p.name for p in shared.iterdir()) == sorted([first.name, second.name])  # no partial left


def test_a_host_pulls_the_newest_complete_version_once(warehouse, tmp_path):
    shared, host = tmp_path / "shared", tmp_path / "host" / "seastat.duckdb"
    host.parent.mkdir()
    with pytest.raises(PublishError, match="shared: no such folder to pull from"):
        pull(shared, host)
    shared.mkdir()
    assert pull(shared, host) is None and not host.exists()  # nothing published yet: nothing to serve
    publish(warehouse, shared)
    newest = publish(warehouse, shared)
    (shared / ".partial-99991231T000000000000Z-1.duckdb").write_bytes(b"half a file")  # a publish in progress
    version = ARTIFACT.match(newest.name).group(1)
    assert pull(shared, host) == version and local_version(host) == version
    stamp = host.stat().st_ino
    assert pull(shared, host) == version and host.stat().st_ino == stamp  # already current: no copy, no swap


def test_a_file_whose_bytes_do_not_match_its_name_is_refused_and_the_host_keeps_serving(warehouse, tmp_path):
    shared, host = tmp_path / "shared", tmp_path / "host" / "seastat.duckdb"
    host.parent.mkdir()
    good = publish(warehouse, shared)
    pull(shared, host)
    forged = shared / good.name.replace(ARTIFACT.match(good.name).group(1), "99991231T000000000000Z")
    shutil.copyfile(good, forged)
    with forged.open("r+b") as fh:  # same name pattern, different bytes
        fh.seek(100)
        fh.write(b"tampered")
    with pytest.raises(PublishError, match="do not match the checksum in its name"):
        pull(shared, host)
    assert local_version(host) == ARTIFACT.match(good.name).group(1)


def test_the_commands_publish_and_pull(warehouse, tmp_path, capsys):
    shared, host = tmp_path / "shared", tmp_path / "host.duckdb"
    assert etl_main(["publish", "--to", str(shared), "--db", str(warehouse)]) == 0
    name = capsys.readouterr().out.strip()
    assert etl_main(["pull", "--from", str(shared), "--db", str(host)]) == 0
    assert ARTIFACT.match(name.rsplit("/", 1)[1]).group(1) in capsys.readouterr().out
    assert etl_main(["publish", "--to", str(shared), "--db", str(tmp_path / "none.duckdb")]) == 1
    assert capsys.readouterr().err.strip().endswith("none.duckdb: no warehouse to publish")
    (tmp_path / "broken.duckdb").write_bytes(b"not a database")
    assert etl_main(["pull", "--from", str(shared), "--db", str(tmp_path / "broken.duckdb")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(str(tmp_path / "broken.duckdb"))


def test_healthz_names_the_version_the_workers_read_in_both_modes(demo_db, tmp_path):
    from app import create_app
    from components import warmup
    from settings import Settings

    for mode in ("internal", "public"):
        host = tmp_path / f"{mode}.duckdb"  # a warehouse built on this host, never published
        shutil.copyfile(demo_db, host)
        app = create_app(replace(Settings.from_env(), db_path=host, mode=mode, secret_key="k" * 40))
        app.server.config[warmup.ENABLED_KEY] = False  # no background thread holding the file open after the test
        client = app.server.test_client()
        got = client.get("/healthz").get_json()
        assert (got["status"], got["mode"], got["warehouse"]["version"]) == ("ok", mode, None)
        publish(demo_db, tmp_path / "shared")
        version = pull(tmp_path / "shared", host)
        r = client.get("/healthz")  # the same worker: it reconnects to the swapped file at this request
        assert r.get_json()["warehouse"]["version"] == version and r.headers["Cache-Control"] == "no-store"
        app.server.config["SEASTAT_ENGINE"].warehouse.close()
