"""Settings are checked for name, kind and value: a mistake is a clear error naming the setting."""

from __future__ import annotations

import pytest

from server.settings import SETTINGS, SettingError, check_settings


@pytest.mark.parametrize(
    "override, says",
    [
        ({"QUERY_WORKERS": "two"}, "QUERY_WORKERS must be a positive whole number, not 'two'"),
        ({"QUERY_WORKERS": 0}, "QUERY_WORKERS must be a positive whole number"),
        ({"QUERY_TIMEOUT": -1}, "QUERY_TIMEOUT must be a positive number of seconds"),
        ({"MAX_BODY_BYTES": True}, "MAX_BODY_BYTES must be a positive whole number"),
        ({"BASE_URI": "http://data.example.org/mxus/"}, "BASE_URI http://data.example.org/mxus/ has a path"),
        ({"BASE_URI": "data.example.org"}, "BASE_URI must be an http(s) URL"),
        ({"STORE_URL": "ftp://store/"}, "STORE_URL must be an http:// or https:// URL"),
        ({"DATA_PATHS": []}, "DATA_PATHS must be a non-empty list of paths"),
        ({"QUERY_WORKER": 2}, "unknown setting(s): QUERY_WORKER"),
        ({"STORE_USER": "u"}, "need STORE_URL"),
        ({"STORE_PATH": "/tmp/x", "STORE_URL": "http://127.0.0.1:7878/query"}, "exclude each other"),
    ],
)
def test_a_wrong_setting_is_refused_naming_it(override, says):
    with pytest.raises(SettingError) as refused:
        check_settings(override)
    assert says in str(refused.value)


def test_the_defaults_pass_their_own_checks():
    settings = check_settings({})
    assert {setting.name for setting in SETTINGS} <= set(settings)
    assert check_settings({"BASE_URI": "https://w3id.org/mxus/", "QUERY_TIMEOUT": 2.5})["QUERY_TIMEOUT"] == 2.5
