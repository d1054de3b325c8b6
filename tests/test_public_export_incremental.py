"""The static export is incremental (public/export.py): a second export rewrites nothing that did not
change, so a web server's ETag / Last-Modified and a CDN's copies stay valid; a changed file is
rewritten; a file an earlier export wrote and this one no longer produces (a withdrawn measure) is
deleted, while files the export never wrote are left alone."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from public.export import MANIFEST
from settings import ROOT

pytestmark = pytest.mark.slow  # exports the whole site twice


def export(out, demo_db) -> str:
    r = subprocess.run([sys.executable, "-m", "public", "export", str(out), "--db", str(demo_db)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_a_second_export_rewrites_only_what_changed_and_removes_what_was_withdrawn(tmp_path, demo_db):
    out = tmp_path / "site"
    export(out, demo_db)
    files = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p.name != MANIFEST}
    assert len(files) > 50
    page = out / "index.html"
    original = page.read_bytes()
    page.write_bytes(b"<p>an old page</p>")
    withdrawn = out / "api" / "v1" / "measures" / "withdrawn_measure.json"
    withdrawn.write_text("{}")
    listed = json.loads((out / MANIFEST).read_text())
    (out / MANIFEST).write_text(json.dumps(listed + ["api/v1/measures/withdrawn_measure.json"]))
    own = out / "robots.txt"  # the site owner's file, never written by the export
    own.write_text("User-agent: *\n")
    for p in files:  # an old timestamp, so a rewrite would show
        os.utime(p, ns=(10**18, 10**18))

    said = export(out, demo_db)
    assert "(1 new or changed" in said and "1 withdrawn removed" in said, said
    assert page.read_bytes() == original
    assert not withdrawn.exists() and own.read_text() == "User-agent: *\n"
    rewritten = [p for p in files if p.stat().st_mtime_ns != 10**18]
    assert rewritten == [page]
