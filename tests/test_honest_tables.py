"""Honest tables and CSVs on measure pages (issue 18): each kind's columns say what they hold (a
median has no blank "Count"; a rate's denominator is residents), and events no area could be
given are the row "No known area", listed last and never ranked on the bar chart."""
from __future__ import annotations

import pytest

from settings import Settings
from tests.support.pages import find_by_id, render_with_client


@pytest.fixture(scope="module")
def client(demo_db):
    from app import create_app

    c = create_app(Settings(db_path=demo_db)).server.test_client()
    c.get("/_dash-dependencies")
    return c


def grid_of(client, path, search=""):
    _, layout, _ = render_with_client(client, path, search)
    g = find_by_id(layout, "ms-grid")
    return layout, [c["headerName"] for c in g["columnDefs"]], g["rowData"]


@pytest.mark.parametrize("measure, expected", [
    ("person_crimes", ["Area", "Area id", "Value (offenses)", "Count (offenses)"]),
    ("person_crime_rate", ["Area", "Area id", "Value (per 1,000 residents per year)", "Events", "Residents"]),
    ("p1_median_response", ["Area", "Area id", "Value (minutes)", "Events with a response seconds"]),
    ("p1_within_7min", ["Area", "Area id", "Value (%)", "Events meeting the condition", "Events"]),
])
def test_each_kind_names_its_columns(client, measure, expected):
    _, headers, _ = grid_of(client, f"/measures/{measure}", "?layer=mcpp")
    assert headers == expected


def test_unknown_area_is_labelled_listed_last_and_not_ranked(client):
    # 17 of the demo's Terry stops name no precinct the map knows
    layout, headers, rows = grid_of(client, "/measures/terry_stop_rate",
                                    "?period=custom&start=2025-11-23&end=2026-11-21&layer=precinct")
    labels = [r["label"] for r in rows]
    assert labels[-1] == "No known area" and "UNKNOWN" not in labels and labels.count("No known area") == 1
    assert rows[-1]["numerator"] == 17 and rows[-1]["value"] is None  # counted; no residents, so no rate
    bar = find_by_id(layout, "ms-bar")["figure"]["data"][0]
    assert "No known area" not in bar["y"] and "UNKNOWN" not in bar["y"]
