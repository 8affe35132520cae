"""Sweet Home 3D furniture catalogues: the `.properties` index inside each `.sh3f` zip (and
the default catalogue inside `sweethome3d.jar`), read into one record per model."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Categories whose models do not belong indoors (cars, people, garden and street furniture).
OUTDOOR_CATEGORIES = {"Exterior", "Vehicles", "Characters", "Staircases"}
DEFAULT_INDEX = "com/eteks/sweethome3d/io/DefaultFurnitureCatalog.properties"
PLUGIN_INDEX = "PluginFurnitureCatalog.properties"


@dataclass(frozen=True)
class Item:
    """One catalogue model. Sizes are the catalogue's, in centimetres: width along the
    model's x, depth along its z (towards the viewer in Sweet Home 3D), height along y."""

    key: str  # "<archive stem>:<id>", unique across catalogues
    name: str
    category: str
    archive: str  # path of the zip (.sh3f or .jar) holding the model
    model: str  # the OBJ's path inside the archive
    width: float
    depth: float
    height: float
    rotation: tuple  # 9 numbers, row-major: applied to the OBJ's vertices before sizing
    door_or_window: bool
    creator: str
    catalogue: str

    @property
    def size_m(self) -> np.ndarray:
        """(width, depth, height) in metres."""
        return np.array([self.width, self.depth, self.height]) / 100.0


def unescape(value: str) -> str:
    """Java properties escapes: \\uXXXX, \\t, \\n, and a backslash before any other char."""

    def sub(m: re.Match) -> str:
        s = m.group(1)
        if s.startswith("u"):
            return chr(int(s[1:], 16))
        return {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(s, s)

    return re.sub(r"\\(u[0-9a-fA-F]{4}|.)", sub, value)


def parse_properties(text: str) -> dict[str, str]:
    """A Java `.properties` file: `key=value` or `key: value`, `#`/`!` comments, and lines
    continued by a trailing odd backslash."""
    out: dict[str, str] = {}
    logical = ""
    for raw in text.splitlines():
        line = raw.lstrip() if not logical else raw.lstrip()
        if not logical and (not line or line[0] in "#!"):
            continue
        trailing = len(line) - len(line.rstrip("\\"))
        if trailing % 2 == 1:
            logical += line[:-1]
            continue
        logical += line
        m = re.match(r"((?:\\.|[^=:\s])+)\s*[=:\s]\s*(.*)$", logical)
        if m:
            out[unescape(m.group(1))] = unescape(m.group(2))
        logical = ""
    return out


def _items_from(props: dict[str, str], archive: Path, catalogue: str) -> list[Item]:
    stem = archive.stem
    items = []
    indices = sorted({int(k.split("#", 1)[1]) for k in props if k.startswith("model#")})
    for i in indices:
        def get(field: str, default: str = "") -> str:
            return props.get(f"{field}#{i}", default)

        try:
            w, d, h = (float(get(f)) for f in ("width", "depth", "height"))
        except ValueError:
            continue  # a model without a usable size cannot be placed
        rotation = tuple(float(v) for v in get("modelRotation", "1 0 0 0 1 0 0 0 1").split())
        if len(rotation) != 9 or min(w, d, h) <= 0:
            continue
        items.append(
            Item(
                key=f"{stem}:{get('id', str(i))}",
                name=get("name").strip(),
                category=get("category").strip(),
                archive=str(archive),
                model=get("model").lstrip("/"),
                width=w,
                depth=d,
                height=h,
                rotation=rotation,
                door_or_window=get("doorOrWindow", "false").strip() == "true",
                creator=get("creator").strip(),
                catalogue=catalogue,
            )
        )
    return items


def read_catalogue(archive: Path) -> list[Item]:
    """Every model of one `.sh3f` catalogue or of `sweethome3d.jar`'s default catalogue."""
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        index = PLUGIN_INDEX if PLUGIN_INDEX in names else DEFAULT_INDEX
        if index not in names:
            raise ValueError(f"{archive}: no furniture catalogue inside (looked for {PLUGIN_INDEX}, {DEFAULT_INDEX})")
        props = parse_properties(z.read(index).decode("latin-1"))
    catalogue = "default" if index == DEFAULT_INDEX else archive.stem
    return [it for it in _items_from(props, archive, catalogue) if it.category not in OUTDOOR_CATEGORIES]


def read_catalogues(paths: list[Path]) -> list[Item]:
    items: list[Item] = []
    for p in paths:
        items.extend(read_catalogue(Path(p)))
    return items
