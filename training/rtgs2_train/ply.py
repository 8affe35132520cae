"""Minimal reader for the binary little-endian PLY files rtgs2 writes (vertex element only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

_TYPES = {
    "char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2", "int16": "i2",
    "ushort": "u2", "uint16": "u2", "int": "i4", "int32": "i4", "uint": "u4", "uint32": "u4",
    "float": "f4", "float32": "f4", "double": "f8", "float64": "f8",
}


def read_vertices(path: Path) -> dict[str, np.ndarray]:
    data = Path(path).read_bytes()
    end = data.index(b"end_header\n") + len(b"end_header\n")
    lines = data[:end].decode("ascii").splitlines()
    if "format binary_little_endian 1.0" not in lines:
        raise ValueError(f"{path}: only binary little-endian PLY is supported here")
    fields, count, in_vertex = [], 0, False
    for line in lines:
        parts = line.split()
        if parts[:1] == ["element"]:
            in_vertex = parts[1] == "vertex"
            if in_vertex:
                count = int(parts[2])
            elif count:
                break
        elif parts[:1] == ["property"] and in_vertex:
            fields.append((parts[2], "<" + _TYPES[parts[1]]))
    arr = np.frombuffer(data, dtype=np.dtype(fields), count=count, offset=end)
    return {name: np.asarray(arr[name]) for name, _ in fields}
