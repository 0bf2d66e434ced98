"""The plugin's settings: ``[tool.typedsignals.mypy]`` or ``[typedsignals.mypy]``."""

from __future__ import annotations

import configparser
import sys
from dataclasses import dataclass
from typing import Literal, cast

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - mypy itself depends on tomli on Python 3.10
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]  # mypy's own dependency

UntypedPayload = Literal["error", "note", "off"]
"""How ``send(sender, **mapping)`` with an unchecked mapping is reported."""

_UNTYPED_CHOICES: tuple[UntypedPayload, ...] = ("error", "note", "off")
INI_SECTION = "typedsignals.mypy"
"""The section in ``mypy.ini`` or ``setup.cfg``."""


@dataclass(frozen=True)
class Settings:
    """What a project can set for the plugin."""

    untyped_payload: UntypedPayload = "error"

    def as_dict(self) -> dict[str, str]:
        """The settings as mypy's ``report_config_data`` wants them."""
        return {"untyped_payload": self.untyped_payload}


def read(config_file: str | None) -> Settings:
    """Read the settings from mypy's configuration file, if it has any.

    Raises:
        ValueError: A setting has a value the plugin does not know, naming the file.
    """
    if config_file is None:
        return Settings()
    if config_file.endswith(".toml"):
        with open(config_file, "rb") as file:
            data = tomllib.load(file)
        section = data.get("tool", {}).get("typedsignals", {}).get("mypy", {})
    else:
        parser = configparser.ConfigParser()
        parser.read(config_file)
        section = dict(parser[INI_SECTION]) if parser.has_section(INI_SECTION) else {}
    unknown = sorted(set(section) - {"untyped_payload"})
    if unknown:
        raise ValueError(
            f"{config_file}: unknown typedsignals.mypy setting {unknown[0]!r} "
            f"(known: untyped_payload)"
        )
    untyped = section.get("untyped_payload", "error")
    if untyped not in _UNTYPED_CHOICES:
        raise ValueError(
            f"{config_file}: typedsignals.mypy setting untyped_payload must be one of "
            f"{', '.join(_UNTYPED_CHOICES)}, not {untyped!r}"
        )
    return Settings(untyped_payload=cast(UntypedPayload, untyped))
