"""Training recipes as dataclasses: loaded from YAML (`training/configs/*.yaml`), overridden with `a.b=value`.

One implementation for every recipe (pretraining, summarizer, encoder): nested dataclass fields are sections,
unknown keys are errors that list the known ones, and values are coerced to the field's type — YAML 1.1 reads
`2e-3` (an exponent without a dot) as text, which would otherwise reach the optimizer as a string.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, TypeVar

import yaml

R = TypeVar("R", bound="Recipe")


class Recipe:
    """Mixin for a dataclass recipe: `load(path, overrides)`, `set("section.key=value")`, `to_dict()`."""

    @classmethod
    def load(cls: type[R], path: str | Path | None = None, overrides: list[str] | None = None) -> R:
        """Read a YAML recipe (missing keys keep their defaults), then apply `key=value` overrides in order."""
        config = cls()
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) if path is not None else None
        if raw is not None and not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping of recipe sections, got {type(raw).__name__}")
        for key, value in (raw or {}).items():
            _assign(config, [key], value, str(path))
        for item in overrides or []:
            config.set(item)
        return config

    def set(self, assignment: str) -> None:
        """Apply one override such as `train.max_steps=100` (the value is parsed as YAML: numbers, null, lists)."""
        dotted, sep, value = assignment.partition("=")
        if not sep or not dotted:
            raise ValueError(f"override {assignment!r} must look like key=value or section.key=value")
        _assign(self, dotted.split("."), yaml.safe_load(value), f"override {assignment!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, written next to what the recipe produced."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]


def _assign(target: Any, keys: list[str], value: Any, where: str) -> None:
    fields = {f.name: f for f in dataclasses.fields(target)}
    name = keys[0]
    if name not in fields:
        label = type(target).__name__
        raise ValueError(f"{where}: {label} has no field {name!r} (fields: {', '.join(fields)})")
    current = getattr(target, name)
    if dataclasses.is_dataclass(current):
        if len(keys) > 1:
            _assign(current, keys[1:], value, where)
            return
        if not isinstance(value, dict):
            raise ValueError(f"{where}: {name!r} is a section; give it a mapping of its fields")
        for key, item in value.items():
            _assign(current, [key], item, where)
        return
    if len(keys) > 1:
        raise ValueError(f"{where}: {name!r} is a value, not a section")
    setattr(target, name, _coerce(value, str(fields[name].type)))


def _coerce(value: Any, annotation: str) -> Any:
    """Turn text such as `2e-3` into the field's number type; ints become floats for float fields."""
    kinds = [part.strip() for part in annotation.split("|")]
    if isinstance(value, str):
        for name, kind in (("int", int), ("float", float)):
            if name in kinds:
                try:
                    return kind(value)
                except ValueError:
                    continue
    if isinstance(value, int) and not isinstance(value, bool) and kinds[0] == "float":
        return float(value)
    return value
