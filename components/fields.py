"""Read a field of an engine result whether it is a dataclass, a dict or a pandas row.

The engine returns dataclasses (docs/ENGINE_API.md); catalog entries may carry optional fields
(methodology, cadence, history ...) that older catalogs lack. One helper keeps pages from
sprinkling `getattr(..., None)` with different defaults.
"""
from __future__ import annotations


def get(obj, name: str, default=None):
    if obj is None:
        return default
    if isinstance(obj, dict):
        value = obj.get(name, default)
    else:
        value = getattr(obj, name, default)
    return default if value is None else value
