from __future__ import annotations

import pytest

from civic.settings import Settings, SettingsError

KEY = "k" * 40


@pytest.fixture
def env(monkeypatch):
    for name in [
        "CIVIC_DATABASE_URL",
        "CIVIC_BASE_URL",
        "CIVIC_STORE_URL",
        "CIVIC_DEBUG",
        "CIVIC_LOGIN_MAX_FAILURES",
        "CIVIC_COUNT_QUERIES",
    ]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_SECRET_KEY", KEY)
    return monkeypatch


def test_defaults_need_no_server(env):
    settings = Settings.from_env()
    assert settings.database.is_sqlite
    assert settings.store_url == "database"
    assert settings.debug is False
    assert settings.security.secure_cookies is False
    assert settings.security.login_max_failures == 5
    assert settings.security.login_window_seconds == 900


def test_values_come_from_civic_variables(env):
    env.setenv("CIVIC_DATABASE_URL", "postgresql://u:p@db:5432/civic")
    env.setenv("CIVIC_BASE_URL", "https://sq.example.cn/")
    env.setenv("CIVIC_STORE_URL", "redis://cache:6379/0")
    env.setenv("CIVIC_DEBUG", "yes")
    env.setenv("CIVIC_LOGIN_MAX_FAILURES", "3")
    settings = Settings.from_env()
    assert not settings.database.is_sqlite
    assert settings.base_url == "https://sq.example.cn"
    assert settings.security.secure_cookies is True
    assert settings.store_url.startswith("redis://")
    assert settings.debug is True
    assert settings.security.login_max_failures == 3
    assert settings.security.secret_key == KEY


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CIVIC_DATABASE_URL", "mysql://x"),
        ("CIVIC_BASE_URL", "sq.example.cn"),
        ("CIVIC_STORE_URL", "memcached://x"),
        ("CIVIC_DEBUG", "maybe"),
        ("CIVIC_LOGIN_MAX_FAILURES", "five"),
        ("CIVIC_LOGIN_MAX_FAILURES", "0"),
        ("CIVIC_SECRET_KEY", "short"),
    ],
)
def test_bad_values_are_refused_with_the_variable_named(env, name, value):
    env.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        Settings.from_env()


def test_settings_are_frozen(env):
    settings = Settings.from_env()
    with pytest.raises(AttributeError):
        settings.debug = True  # type: ignore[misc]


def test_the_case_clocks_come_from_the_environment(env):
    assert Settings.from_env().cases.respond_hours == 12
    env.setenv("CIVIC_CASE_RESPOND_HOURS", "24")
    env.setenv("CIVIC_CASE_ESCALATED_RESOLVE_DAYS", "5")
    cases = Settings.from_env().cases
    assert (cases.respond_hours, cases.resolve_days, cases.escalated_resolve_days) == (24, 1, 5)
    env.setenv("CIVIC_CASE_AUTOCLOSE_DAYS", "0")
    with pytest.raises(SettingsError, match="CIVIC_CASE_AUTOCLOSE_DAYS"):
        Settings.from_env()
