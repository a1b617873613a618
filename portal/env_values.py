"""Reading one setting from the environment, shared by the settings groups (``*_settings.py``
and ``config.py``): a refusal names the variable and what it must be."""

from __future__ import annotations


def whole_number(env: dict[str, str], name: str, default: int, *,
                 must_be: str = "an integer", when_empty: int | None = None) -> int:
    """``name``'s integer; ``default`` when unset (and when empty, unless ``when_empty`` says
    otherwise). Raises ValueError: "<name> must be <must_be>, got '<value>'"."""
    raw = env.get(name)
    if raw is None:
        return default
    raw = raw.strip()
    if not raw:
        return default if when_empty is None else when_empty
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be {must_be}, got {raw!r}") from exc
