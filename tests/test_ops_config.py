"""ops.yaml is checked before anything runs: a mistake is one line naming the file and the key."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ops.config import OpsConfigError, load_ops

ROOT = Path(__file__).resolve().parents[1]
GOOD = {"schedule": {"refresh": {"every": "1h"}, "digest": {"every": "30m", "days_before_meeting": 2}},
        "owners": {"operators": ["ops@example.org"], "measures": {"robberies": ["chief@example.org"]}}}


def write(tmp_path, data) -> Path:
    (tmp_path / "ops.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    return tmp_path


def test_the_seattle_file_and_a_small_one_read_as_written(tmp_path):
    seattle = load_ops(ROOT / "config" / "seattle")
    assert seattle.every == {"refresh": 3600, "alerts": 3600, "digest": 3600} and seattle.rules.measure_status == ("off_track",)
    ops = load_ops(write(tmp_path, GOOD))
    assert ops.every == {"refresh": 3600, "digest": 1800} and ops.digest_days_before == 2

    class M:
        id, goal = "robberies", "safe_neighborhoods"
    assert ops.for_measure(M) == ("chief@example.org",) and ops.for_dataset("crime") == ("ops@example.org",)


@pytest.mark.parametrize("change, message", [
    ({"schedule": {"refresh": {"every": "hourly"}}}, "schedule.refresh.every: expected a duration like 30s"),
    ({"schedule": {"backup": {"every": "1h"}}}, "schedule.backup: unknown job"),
    ({"owners": {"operators": ["not-an-address"]}}, "owners.operators: 'not-an-address' is not an email address"),
    ({"owners": {"datasets": {"crime": ["a@example.org"]}}}, "owners.operators: missing"),
    ({"alerts": {"measure_status": ["off_trak"]}}, "alerts.measure_status: 'off_trak' is not one of"),
])
def test_a_mistake_is_one_line_naming_file_and_key(tmp_path, change, message):
    with pytest.raises(OpsConfigError) as err:
        load_ops(write(tmp_path, {**GOOD, **change}))
    assert str(err.value).startswith(str(tmp_path / "ops.yaml")) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_alerts_command_stops_on_a_bad_file_with_one_line(tmp_path):
    folder = tmp_path / "city"
    import shutil

    shutil.copytree(ROOT / "config" / "seattle", folder)
    write(folder, {**GOOD, "schedule": {"refresh": {"every": "soon"}}})
    env = {**os.environ, "SEASTAT_CITY": str(folder), "SEASTAT_LEDGER": f"sqlite:///{tmp_path / 's.sqlite3'}"}
    done = subprocess.run([sys.executable, "-m", "ops", "alerts"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "schedule.refresh.every" in done.stderr
