from __future__ import annotations

import pytest

from priorauth.service.auth import hash_token
from priorauth.service.config import ConfigError, load_settings

HASH = hash_token("a.token")


def test_defaults_without_file_or_environment(tmp_path):
    settings = load_settings(env={"XDG_STATE_HOME": str(tmp_path)})
    assert settings.auth is True
    assert settings.keys == ()
    assert settings.max_body_bytes == 16 * 1024 * 1024
    assert settings.audit_url == f"sqlite:///{tmp_path / 'priorauth' / 'audit.sqlite'}"


def test_file_then_environment(tmp_path):
    config = tmp_path / "priorauth.toml"
    config.write_text(
        f"""
max_body_bytes = 1000
audit_url = "sqlite:///{tmp_path}/a.sqlite"
[[keys]]
id = "a"
hash = "{HASH}"
[[keys]]
id = "b"
hash = "{HASH}"
revoked = true
"""
    )
    env = {
        "PRIORAUTH_CONFIG": str(config),
        "PRIORAUTH_MAX_BODY_BYTES": "2000",
        "PRIORAUTH_API_KEYS": f"c:{HASH}",
        "PRIORAUTH_REVOKED_KEYS": "a",
    }
    settings = load_settings(env=env)
    assert settings.max_body_bytes == 2000
    assert settings.audit_url.endswith("/a.sqlite")
    assert {(k.key_id, k.revoked) for k in settings.keys} == {
        ("a", True),
        ("b", True),
        ("c", False),
    }


def test_overrides_win(tmp_path):
    assert load_settings(env={}, auth=False, max_json_depth=10).max_json_depth == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("max_body_bytes = ", "not valid TOML"),
        ("max_body_bytes = -1", "max_body_bytes: Input should be greater than 0"),
        ("colour = 'red'", "colour: Extra inputs are not permitted"),
        ("keys = 3", "keys: expected"),
        ("[[keys]]\nid = 'a'\nhash = 'zz'", "keys[0]: API key 'a': hash must be"),
        ("[[keys]]\nid = 'a'\nhash = 'zz'\nextra = 1", "keys[0]: expected a table"),
    ],
)
def test_bad_files_name_the_file_and_field(tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=r"bad\.toml") as info:
        load_settings(config, env={})
    assert message in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "nope.toml", env={})


def test_bad_environment_keys():
    with pytest.raises(ConfigError, match="PRIORAUTH_API_KEYS"):
        load_settings(env={"PRIORAUTH_API_KEYS": "oops"})
