"""The one Settings object: .env.example loads as documented and covers every setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from bot.settings import Settings

EXAMPLE = Path(__file__).parents[1] / ".env.example"


def documented_keys() -> set[str]:
    return set(re.findall(r"^([A-Z_]+)=", EXAMPLE.read_text(), re.MULTILINE))


def setting_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys |= setting_keys(annotation, f"{prefix}{name.upper()}__")
        else:
            keys.add(f"{prefix}{name.upper()}")
    return keys


def test_every_setting_is_documented_in_env_example() -> None:
    # SLACK__SCOPES is a list with a sensible default; the manifest is where scopes are chosen.
    missing = setting_keys(Settings) - documented_keys() - {"SLACK__SCOPES"}
    assert not missing, f"undocumented settings: {sorted(missing)}"
    assert not documented_keys() - setting_keys(Settings), "documented keys that do nothing"


def test_copied_env_example_loads_with_embedded_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(EXAMPLE.read_text())
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.chroma.host is None and settings.llm.model is None
    assert settings.slack.app_token is None  # an empty line must not switch on Socket Mode
    assert settings.slack.bot_token is not None


def test_placeholder_secrets_are_refused_in_prod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text(EXAMPLE.read_text().replace("ENV=dev", "ENV=prod"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="placeholder"):
        Settings()


def test_nested_groups_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK__SIGNING_SECRET", "s3cret-value")
    monkeypatch.setenv("LLM__MODEL", "ollama:llama3.1")
    monkeypatch.setenv("CHROMA__PORT", "9001")
    settings = Settings(_env_file=None)
    assert settings.slack.signing_secret is not None
    assert settings.slack.signing_secret.get_secret_value() == "s3cret-value"
    assert settings.llm.model == "ollama:llama3.1" and settings.chroma.port == 9001
    assert "s3cret-value" in settings.secret_values()
