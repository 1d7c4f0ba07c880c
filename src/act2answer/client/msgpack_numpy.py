"""msgpack with numpy arrays, in the wire format of openpi-client.

An array travels as a map ``{b"__ndarray__": True, b"data": raw bytes,
b"dtype": dtype.str, b"shape": shape}``; a numpy scalar as
``{b"__npgeneric__": True, b"data": value, b"dtype": dtype.str}``. Object,
void and complex dtypes are refused rather than pickled.
"""

from __future__ import annotations

from typing import Any

import msgpack
import numpy as np

_REFUSED_KINDS = ("V", "O", "c")


def _encode(obj: Any) -> Any:
    if isinstance(obj, (np.ndarray, np.generic)) and obj.dtype.kind in _REFUSED_KINDS:
        raise ValueError(f"dtype {obj.dtype} cannot be sent (object, void and complex are refused)")
    if isinstance(obj, np.ndarray):
        return {
            b"__ndarray__": True,
            b"data": obj.tobytes(),
            b"dtype": obj.dtype.str,
            b"shape": obj.shape,
        }
    if isinstance(obj, np.generic):
        return {b"__npgeneric__": True, b"data": obj.item(), b"dtype": obj.dtype.str}
    return obj


def _decode(obj: dict[Any, Any]) -> Any:
    if b"__ndarray__" in obj:
        dtype = np.dtype(obj[b"dtype"])
        if dtype.kind in _REFUSED_KINDS:
            raise ValueError(f"refusing to decode an array of dtype {dtype}")
        return np.ndarray(buffer=obj[b"data"], dtype=dtype, shape=tuple(obj[b"shape"]))
    if b"__npgeneric__" in obj:
        return np.dtype(obj[b"dtype"]).type(obj[b"data"])
    return obj


def packb(obj: Any) -> bytes:
    """Serialise ``obj`` (dicts, lists, numbers, strings, numpy arrays) to msgpack bytes."""
    return msgpack.packb(obj, default=_encode)


def unpackb(data: bytes | bytearray | memoryview) -> Any:
    """Inverse of :func:`packb` (arrays come back read-only, sharing the buffer)."""
    return msgpack.unpackb(data, object_hook=_decode)


__all__ = ["packb", "unpackb"]
