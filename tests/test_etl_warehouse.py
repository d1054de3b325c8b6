"""The swap and the lock: a failed build never touches the live file; two loads cannot race."""
from __future__ import annotations

import pytest

from etl import warehouse
from tests.support.etl_files import query


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path):
    db = tmp_path / "wh.duckdb"
    with warehouse.lock(db):
        with pytest.raises(warehouse.WarehouseBusy, match=r"wh\.duckdb: another load is running"):
            with warehouse.lock(db, wait_seconds=0.3):
                pass
    with warehouse.lock(db, wait_seconds=0.3):  # released: the next one gets it
        pass


def test_failed_build_leaves_the_live_warehouse_and_no_new_file(tmp_path):
    db = tmp_path / "wh.duckdb"
    with warehouse.lock(db), warehouse.build(db) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    before = db.read_bytes()
    with pytest.raises(RuntimeError, match="boom"):
        with warehouse.lock(db), warehouse.build(db) as con:
            con.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
    assert db.read_bytes() == before
    assert query(db, "SELECT x FROM t") == [(1,)]
    assert not warehouse.new_path(db).exists()
    with warehouse.lock(db), warehouse.build(db) as con:  # Discard: nothing changes, no error
        con.execute("INSERT INTO t VALUES (3)")
        raise warehouse.Discard()
    assert db.read_bytes() == before


def test_successful_build_swaps_in_a_new_file(tmp_path):
    db = tmp_path / "wh.duckdb"
    with warehouse.lock(db), warehouse.build(db) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    inode = db.stat().st_ino
    with warehouse.lock(db), warehouse.build(db) as con:
        con.execute("INSERT INTO t VALUES (2)")
    assert db.stat().st_ino != inode  # readers notice the swap by inode / mtime
    assert query(db, "SELECT x FROM t ORDER BY x") == [(1,), (2,)]
    assert {"load_log", "rejects", "quality_checks"} <= {r[0] for r in query(db, "SHOW TABLES")}
