"""Settings and city config: a deployment mistake stops start-up with one line naming what is wrong."""
from pathlib import Path

import pytest

from city import CityConfigError, load_city
from settings import ROOT, Settings, SettingsError


def test_environment_overrides_defaults(tmp_path):
    s = Settings.from_env({"SEASTAT_DB": str(tmp_path / "w.duckdb"), "SEASTAT_MODE": "public"})
    assert s.db_path == tmp_path / "w.duckdb"
    assert s.mode == "public"
    assert Settings.from_env({}).db_path == ROOT / "data" / "seastat.duckdb"


def test_unknown_mode_is_named():
    with pytest.raises(SettingsError, match="SEASTAT_MODE='privat'"):
        Settings.from_env({"SEASTAT_MODE": "privat"})


def test_trusted_proxies_default_to_loopback_and_are_checked_at_start():
    assert Settings.from_env({}).trusted_proxies == ("127.0.0.1/32", "::1/128")
    s = Settings.from_env({"SEASTAT_TRUSTED_PROXIES": "10.0.0.5, 192.0.2.0/24"})
    assert [s.proxy_trusted(a) for a in ("10.0.0.5", "10.0.0.6", "192.0.2.77", "127.0.0.1", "::ffff:10.0.0.5", "")] \
        == [True, False, True, False, True, False]
    assert Settings.from_env({"SEASTAT_TRUSTED_PROXIES": "none"}).trusted_proxies == ()
    assert not Settings().proxy_trusted("")  # a unix socket peer has no address: only when `unix` is listed
    assert Settings.from_env({"SEASTAT_TRUSTED_PROXIES": "unix"}).proxy_trusted("")
    with pytest.raises(SettingsError, match="SEASTAT_TRUSTED_PROXIES: 'proxy.city.example' is not an IP address"):
        Settings.from_env({"SEASTAT_TRUSTED_PROXIES": "proxy.city.example"})


def test_seattle_city_config_loads():
    seattle = load_city(ROOT / "config" / "seattle")
    assert seattle.name == "Seattle"
    assert seattle.bounds.contains(47.6062, -122.3321)  # downtown
    assert not seattle.bounds.contains(47.2529, -122.4443)  # Tacoma


def test_city_config_missing_key_names_file_and_key(tmp_path):
    (tmp_path / "city.yaml").write_text("name: X\ntimezone: UTC\nbounds: {min_lat: 0, max_lat: 1, min_lon: 0, max_lon: 1}\n")
    with pytest.raises(CityConfigError) as err:
        load_city(tmp_path)
    assert str(err.value) == f"{Path(tmp_path) / 'city.yaml'}: missing key 'meeting_anchor'"


def test_city_hotspot_false_discovery_rate_is_the_citys_and_checked(tmp_path):
    base = ("name: X\ntimezone: UTC\nbounds: {min_lat: 0, max_lat: 1, min_lon: 0, max_lon: 1}\n"
            "meeting_anchor: 2024-01-01\n")
    (tmp_path / "city.yaml").write_text(base)
    assert load_city(tmp_path).hotspot_fdr == 0.10                      # the default
    assert load_city(ROOT / "config" / "seattle").hotspot_fdr == 0.10    # Seattle says so explicitly
    (tmp_path / "city.yaml").write_text(base + "hotspot_fdr: 0.05\n")
    assert load_city(tmp_path).hotspot_fdr == 0.05
    for bad in ("0", "0.5", "ten", "true"):
        (tmp_path / "city.yaml").write_text(base + f"hotspot_fdr: {bad}\n")
        with pytest.raises(CityConfigError) as err:
            load_city(tmp_path)
        assert str(err.value) == (f"{Path(tmp_path) / 'city.yaml'}: key 'hotspot_fdr' must be a number above 0 "
                                  "and at most 0.25, like 0.10")
