"""Settings from the environment, and the refusals that keep production safe."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from portal.app import create_app
from portal.config import (
    SECRET_FILE_NAME,
    ConfigError,
    Settings,
    new_attachment_key_entry,
    new_key_entry,
)

STRONG_SECRET = "Zq8#vR2!mK9@pL4$wX7^nB3&cT6*yH1(uJ5)"


PRODUCTION_KEYS = new_attachment_key_entry("p1")
PRODUCTION_AUDIT_KEYS = new_key_entry("a1")


def production_env(tmp_path: Path, **changes: str) -> dict[str, str]:
    env = {
        "PORTAL_ENV": "production",
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path / 'portal.db'}",
        "PORTAL_SECRET_KEY": STRONG_SECRET,
        "PORTAL_BASE_URL": "https://portal.example.org",
        "PORTAL_ATTACHMENT_KEYS": PRODUCTION_KEYS,
        "PORTAL_AUDIT_KEYS": PRODUCTION_AUDIT_KEYS,
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v != "<unset>"}


def test_a_correct_production_configuration_starts(tmp_path: Path) -> None:
    settings = Settings.from_env(production_env(tmp_path))
    assert settings.is_production and settings.secure_cookies
    assert not settings.secret_generated
    settings.validate()
    app = create_app(settings)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    app.extensions["portal.db"].dispose()


@pytest.mark.parametrize(("changes", "reason"), [
    ({"PORTAL_SECRET_KEY": "<unset>"}, "PORTAL_SECRET_KEY is not set"),
    ({"PORTAL_SECRET_KEY": "short-secret"}, "weak"),
    ({"PORTAL_SECRET_KEY": "a" * 64}, "weak"),
    ({"PORTAL_SECRET_KEY": "abababababababababababababababababab"}, "weak"),
    ({"PORTAL_DEMO_DATA": "true"}, "PORTAL_DEMO_DATA must be off"),
    ({"PORTAL_SECURE_COOKIES": "false"}, "HTTPS cookies"),
    ({"PORTAL_BASE_URL": "http://portal.example.org"}, "https:// PORTAL_BASE_URL"),
    ({"PORTAL_ATTACHMENT_KEYS": "<unset>"}, "PORTAL_ATTACHMENT_KEYS"),
    ({"PORTAL_AUDIT_KEYS": "<unset>"}, "production needs PORTAL_AUDIT_KEYS"),
    ({"PORTAL_AUDIT_KEYS": "a1:c2hvcnQ="}, "PORTAL_AUDIT_KEYS key 'a1' must be 32 bytes"),
    ({"PORTAL_AUDIT_CHECKPOINT_MINUTES": "0"}, "PORTAL_AUDIT_CHECKPOINT_MINUTES"),
    ({"PORTAL_AUDIT_CHECKPOINT_EMAIL": "not an address"}, "PORTAL_AUDIT_CHECKPOINT_EMAIL"),
])
def test_production_refuses_unsafe_settings(tmp_path: Path, changes: dict[str, str],
                                            reason: str) -> None:
    settings = Settings.from_env(production_env(tmp_path, **changes))
    with pytest.raises(ConfigError, match="refusing to start") as error:
        settings.validate()
    assert reason in str(error.value)
    with pytest.raises(ConfigError):
        create_app(settings)


def test_production_never_generates_a_secret(tmp_path: Path) -> None:
    settings = Settings.from_env(production_env(tmp_path, PORTAL_SECRET_KEY="<unset>"))
    assert settings.secret_key == ""
    assert not (tmp_path / SECRET_FILE_NAME).exists()


def test_production_refuses_a_generated_secret(tmp_path: Path) -> None:
    settings = Settings(env="production", data_dir=tmp_path, secret_key=STRONG_SECRET,
                        secret_generated=True, secure_cookies=True,
                        base_url="https://portal.example.org",
                        database_url=f"sqlite:///{tmp_path / 'p.db'}")
    with pytest.raises(ConfigError, match="generated"):
        settings.validate()


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    settings = Settings.from_env(production_env(
        tmp_path, PORTAL_SECRET_KEY="weak", PORTAL_DEMO_DATA="1",
        PORTAL_SECURE_COOKIES="0", PORTAL_BASE_URL="http://x"))
    with pytest.raises(ConfigError) as error:
        settings.validate()
    assert str(error.value).count(";") == 3


def test_development_generates_a_private_secret_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "instance"
    env = {"PORTAL_ENV": "development", "PORTAL_DATA_DIR": str(data_dir)}
    first = Settings.from_env(env)
    path = data_dir / SECRET_FILE_NAME
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first.secret_generated
    assert len(first.secret_key) >= 32
    assert path.read_text(encoding="ascii").strip() == first.secret_key
    second = Settings.from_env(env)
    assert second.secret_key == first.secret_key
    first.validate()  # fine outside production
    assert first.database_url == f"sqlite:///{data_dir.resolve() / 'portal.db'}"


def test_a_secret_from_the_environment_wins(tmp_path: Path) -> None:
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECRET_KEY": STRONG_SECRET}
    settings = Settings.from_env(env)
    assert settings.secret_key == STRONG_SECRET and not settings.secret_generated
    assert not (tmp_path / SECRET_FILE_NAME).exists()


@pytest.mark.parametrize(("name", "value"), [
    ("PORTAL_SESSION_IDLE_MINUTES", "thirty"),
    ("PORTAL_LOGIN_MAX_FAILURES", "5.5"),
    ("PORTAL_MAX_FILE_MB", "25MB"),
])
def test_a_bad_integer_is_a_config_error(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), name: value})


def test_bad_boolean_and_environment_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="PORTAL_SECURE_COOKIES"):
        Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_SECURE_COOKIES": "maybe"})
    with pytest.raises(ConfigError, match="PORTAL_ENV"):
        Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_ENV": "prod"})


def test_integer_settings_are_read(tmp_path: Path) -> None:
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path),
                                  "PORTAL_SESSION_IDLE_MINUTES": "7",
                                  "PORTAL_LOGIN_MAX_FAILURES": "3"})
    assert settings.session_idle_minutes == 7 and settings.login_max_failures == 3
    with pytest.raises(ConfigError, match="IDLE"):
        settings.with_overrides(session_idle_minutes=0).validate()


def test_the_image_limit_of_pdfs_is_read_and_checked(tmp_path: Path) -> None:
    assert Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)}).max_image_mb == 256
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path),
                                  "PORTAL_MAX_IMAGE_MB": "64"})
    assert settings.max_image_mb == 64
    with pytest.raises(ConfigError, match="PORTAL_MAX_IMAGE_MB must be positive"):
        settings.with_overrides(max_image_mb=0).validate()


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings.from_env({"PORTAL_DATA_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.env = "production"  # type: ignore[misc]
