"""The local SODA server the fetch tests rely on: if it lied about the portal, they would too.

Checks the SODA behaviour the fetch client depends on, with values read off the samples by hand:
API field names, JSON pages that omit empty fields, $order on a date field, $where on dates,
the portal's floating-timestamp form, and SODA's error answers.
"""
from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.support.sodaserver import SodaServer, api_field_name

pytestmark = pytest.mark.real_data

CRIME = "crime/spd_crime_data_2008-present__2021-09_robbery_only.csv"
FIRE = "fire_911/seattle_real_time_fire_911_calls__2022-01.csv"


@pytest.fixture
def soda(seattle_data):
    with SodaServer({"tazs-3rd5": seattle_data / CRIME, "kzjm-xkqj": seattle_data / FIRE}) as server:
        yield server


def get(server, resource, form="csv", **params):
    query = urlencode({f"${k}": v for k, v in params.items()})
    with urllib.request.urlopen(f"{server.url}/resource/{resource}.{form}?{query}", timeout=10) as resp:
        return resp.read().decode("utf-8")


def test_api_field_names_follow_socrata_spelling():
    assert api_field_name("\ufeffReport Number") == "report_number"
    assert api_field_name("GO / SC Num") == "go_sc_num"
    assert api_field_name("FRB #") == "frb"
    assert api_field_name("Officer Disciplined?") == "officer_disciplined"
    assert api_field_name("100 Block Address") == "_100_block_address"


def test_json_pages_omit_empty_fields(soda):
    rows = json.loads(get(soda, "tazs-3rd5", "json", limit=3, offset=1, order=":id"))
    # records 2-4 of the sample; record 3 (offense 12603653571) has no Offense End DateTime
    assert [r["offense_id"] for r in rows] == ["12604223543", "12603653571", "12602890297"]
    assert "offense_end_datetime" not in rows[1] and rows[0]["offense_end_datetime"] == "02/04/2020 10:20:00 AM"


def test_order_by_date_desc_and_where_on_dates(soda):
    newest = next(csv.DictReader(io.StringIO(get(soda, "kzjm-xkqj", limit=1, order="datetime DESC"))))
    assert newest["incident_number"] == "F220013186" and newest["datetime"] == "01/31/2022 11:57:00 PM"
    # 285 calls on 2022-01-31 (grep -c "01/31/2022" on the sample)
    assert get(soda, "kzjm-xkqj", select="count(*)", where="datetime >= '2022-01-31T00:00:00'") == '"count"\n"285"\n'


def test_portal_dates_are_served_as_floating_timestamps(seattle_data):
    with SodaServer({"tazs-3rd5": seattle_data / CRIME}, portal_dates=True) as server:
        first = next(csv.DictReader(io.StringIO(get(server, "tazs-3rd5", limit=1))))
        count = get(server, "tazs-3rd5", select="count(*)", where="report_datetime >= '2021-01-01T00:00:00'")
    assert first["report_datetime"] == "2020-02-05T09:39:33.000"
    assert first["offense_start_datetime"] == "2020-02-02T20:30:00.000"
    assert first["offense_code"] == "120" and first["latitude"] == "47.66638407"  # not dates: untouched
    # the same rows whatever the date form (1048 robberies reported in 2021, as with US dates)
    assert count == '"count"\n"1048"\n'


def test_unknown_column_and_unknown_dataset_answer_like_socrata(soda):
    with pytest.raises(urllib.error.HTTPError) as exc:
        get(soda, "tazs-3rd5", where="offense_date >= '2021-01-01'")
    assert exc.value.code == 400 and json.loads(exc.value.read())["code"] == "query.soql.no-such-column"
    with pytest.raises(urllib.error.HTTPError) as exc:
        get(soda, "abcd-1234")
    assert exc.value.code == 404
