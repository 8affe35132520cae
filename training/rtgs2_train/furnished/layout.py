"""Furniture layouts: a rectangular room of a random type (bedroom, living room, office,
meeting room, kitchen, bathroom), its doors and windows set into the walls, furniture backed
against walls or grouped in the middle (a table with chairs round it, desks in rows), and
small things on top of tables, desks and cabinets. Footprints never overlap."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .catalogue import Item

WALLS = 4  # 0: y = 0, 1: x = W, 2: y = D, 3: x = 0


@dataclass
class Placement:
    item: Item
    label: int
    centre: np.ndarray  # x, y of the footprint's centre
    yaw: float  # radians about z; 0 = front towards -y
    z: float  # the model's base height
    wall: int | None = None  # the wall it is set into or backed against


@dataclass
class Room:
    kind: str
    width: float  # along x
    depth: float  # along y
    height: float
    ceiling: bool
    placements: list[Placement] = field(default_factory=list)
    # Openings cut out of the walls for doors and windows: (wall, start, end, bottom, top)
    openings: list[tuple[int, float, float, float, float]] = field(default_factory=list)


# Each room kind: (roles backed against a wall, middle groups). A role is
# (pool, min count, max count); a pool is an NYU40 id or "id:word" (names containing word).
KINDS: dict[str, dict] = {
    "bedroom": {
        "wall": [(4, 1, 1), (32, 0, 2), (3, 0, 1), (17, 0, 1), (14, 0, 1), (10, 0, 1), (15, 0, 1),
                 (39, 0, 1), (25, 0, 1), (35, 0, 1)],
        "middle": [("rug", 0, 1), ("floor", 0, 4)],
    },
    "living": {
        "wall": [(6, 1, 2), (10, 0, 2), (15, 0, 1), ("39:tv", 0, 1), (3, 0, 1), (17, 0, 1),
                 (35, 0, 2), (39, 0, 2)],
        "middle": [("lounge", 1, 1), ("rug", 0, 1), ("floor", 1, 4)],
    },
    "office": {
        "wall": [(14, 1, 3), (3, 0, 2), (10, 0, 2), (15, 0, 1), (30, 0, 1), (39, 0, 1)],
        "middle": [("desks", 0, 1), ("floor", 1, 4)],
    },
    "meeting": {
        "wall": [(30, 0, 1), (3, 0, 2), (25, 0, 1), (10, 0, 1), (39, 0, 1)],
        "middle": [("dining", 1, 2), ("floor", 0, 3)],
    },
    "kitchen": {
        "wall": [(3, 2, 6), (24, 1, 1), ("39:oven", 0, 1), ("39:cooker", 0, 1), (34, 0, 1),
                 ("39:dishwasher", 0, 1), (15, 0, 1)],
        "middle": [("dining", 0, 1), (12, 0, 1), ("floor", 0, 2)],
    },
    "bathroom": {
        "wall": [(33, 1, 1), (34, 1, 2), (36, 0, 1), (3, 0, 1), (38, 0, 1), (27, 0, 1)],
        "middle": [("bathmat", 0, 1), ("floor", 0, 2)],
    },
}
ROOM_SIZES = {  # width range, depth range (metres)
    "bedroom": ((2.8, 5.0), (3.0, 5.0)),
    "living": ((3.8, 7.5), (3.5, 6.5)),
    "office": ((3.0, 7.0), (3.0, 6.0)),
    "meeting": ((3.5, 8.0), (3.5, 7.0)),
    "kitchen": ((2.6, 5.5), (2.8, 5.0)),
    "bathroom": ((1.8, 3.5), (2.0, 3.5)),
}
HOSTS = {3, 7, 12, 14, 17, 32, 39, 10, 15}  # things that small props stand on
PROP_LABELS = {23, 26, 29, 35, 37, 40, 21, 25}


class Catalogue:
    """The models of one split, grouped by NYU40 class."""

    def __init__(self, labelled: list[tuple[Item, int]]):
        self.by_label: dict[int, list[Item]] = {}
        for item, label in labelled:
            self.by_label.setdefault(label, []).append(item)

    def pool(self, spec, rng: np.random.Generator, max_side: float | None = None) -> tuple[Item, int] | None:
        if isinstance(spec, str) and ":" in spec:
            label_s, word = spec.split(":", 1)
            label = int(label_s)
            items = [i for i in self.by_label.get(label, []) if word in i.name.lower()]
        else:
            label = int(spec)
            items = self.by_label.get(label, [])
        if max_side is not None:
            items = [i for i in items if max(i.width, i.depth) / 100 <= max_side]
        if not items:
            return None
        return items[rng.integers(len(items))], label


def footprint(p: Placement) -> tuple[float, float, float, float]:
    """Axis-aligned box (x0, y0, x1, y1) around the rotated footprint."""
    w, d = p.item.width / 100, p.item.depth / 100
    c, s = abs(math.cos(p.yaw)), abs(math.sin(p.yaw))
    hx, hy = (w * c + d * s) / 2, (w * s + d * c) / 2
    return p.centre[0] - hx, p.centre[1] - hy, p.centre[0] + hx, p.centre[1] + hy


def _overlaps(a, b, margin=0.02) -> bool:
    return a[0] < b[2] - margin and b[0] < a[2] - margin and a[1] < b[3] - margin and b[1] < a[3] - margin


class Planner:
    def __init__(self, room: Room, rng: np.random.Generator):
        self.room, self.rng = room, rng
        self.blocked: list[tuple[float, float, float, float]] = []  # floor areas kept free

    def wall_length(self, wall: int) -> float:
        return self.room.width if wall in (0, 2) else self.room.depth

    def hits_opening(self, wall: int, t0: float, t1: float) -> bool:
        """Whether the span [t0, t1] along `wall` overlaps a door or window set into it."""
        return any(o[0] == wall and o[1] < t1 and t0 < o[2] for o in self.room.openings)

    def wall_pose(self, wall: int, t: float, off: float) -> tuple[np.ndarray, float]:
        """Centre and yaw of an item backed against `wall` at distance `t` along it, its
        centre `off` metres from the wall plane, facing into the room."""
        W, D = self.room.width, self.room.depth
        if wall == 0:
            return np.array([t, off]), math.pi
        if wall == 1:
            return np.array([W - off, t]), -math.pi / 2
        if wall == 2:
            return np.array([W - t, D - off]), 0.0
        return np.array([off, D - t]), math.pi / 2

    def fits(self, p: Placement, on_floor: bool = True) -> bool:
        box = footprint(p)
        W, D = self.room.width, self.room.depth
        if box[0] < -0.01 or box[1] < -0.01 or box[2] > W + 0.01 or box[3] > D + 0.01:
            return False
        if not on_floor:
            return True
        return not any(_overlaps(box, b) for b in self.blocked)

    def add(self, p: Placement, block=None) -> None:
        self.room.placements.append(p)
        self.blocked.append(block if block is not None else footprint(p))

    def against_wall(self, item: Item, label: int, tries: int = 30, z: float = 0.0) -> Placement | None:
        w, d = item.width / 100, item.depth / 100
        for _ in range(tries):
            wall = int(self.rng.integers(WALLS))
            length = self.wall_length(wall)
            if w + 0.02 > length:
                continue
            t = self.rng.uniform(w / 2 + 0.01, length - w / 2 - 0.01)
            centre, yaw = self.wall_pose(wall, t, d / 2 + self.rng.uniform(0.0, 0.04))
            p = Placement(item, label, centre, yaw, z, wall)
            if self.fits(p):
                self.add(p)
                return p
        return None

    def opening(self, item: Item, label: int, bottom: float) -> Placement | None:
        """A door or window set into a wall, its middle in the wall plane, the wall cut
        out behind it; a door keeps a swing area free in front."""
        w, d, h = item.width / 100, item.depth / 100, item.height / 100
        if bottom + h > self.room.height - 0.05:
            return None
        for _ in range(30):
            wall = int(self.rng.integers(WALLS))
            length = self.wall_length(wall)
            if w + 0.2 > length:
                continue
            t = self.rng.uniform(w / 2 + 0.1, length - w / 2 - 0.1)
            centre, yaw = self.wall_pose(wall, t, 0.0)
            p = Placement(item, label, centre, yaw, bottom, wall)
            if self.hits_opening(wall, t - w / 2 - 0.15, t + w / 2 + 0.15):
                continue
            # A door keeps the floor in front of it free (0.9 m, its swing); a window whatever
            # of it sticks out of the wall.
            reach = 0.9 if label == 8 else d / 2
            corners = [self.wall_pose(wall, t + s * w / 2, r)[0] for s in (-1, 1) for r in (0.0, reach)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            box = (min(xs), min(ys), max(xs), max(ys))
            if label == 8 and any(_overlaps(box, b) for b in self.blocked):
                continue
            self.room.placements.append(p)
            self.blocked.append(box)
            self.room.openings.append((wall, t - w / 2, t + w / 2, bottom, bottom + h))
            return p
        return None

    def middle(self, item: Item, label: int, centre: np.ndarray, yaw: float, z: float = 0.0) -> Placement | None:
        p = Placement(item, label, centre, yaw, z)
        if self.fits(p):
            self.add(p)
            return p
        return None

    def anywhere(self, item: Item, label: int, tries: int = 20) -> Placement | None:
        for _ in range(tries):
            centre = np.array([self.rng.uniform(0, self.room.width), self.rng.uniform(0, self.room.depth)])
            p = self.middle(item, label, centre, float(self.rng.uniform(0, 2 * math.pi)))
            if p is not None:
                return p
        return None


def _table_group(planner: Planner, cat: Catalogue, rng: np.random.Generator, chairs: tuple[int, int]) -> None:
    """A table somewhere in the middle with chairs round it, facing it."""
    pick = cat.pool(7, rng)
    chair = cat.pool(5, rng, max_side=0.8)
    if pick is None:
        return
    room = planner.room
    for _ in range(15):
        centre = np.array([rng.uniform(0.9, room.width - 0.9), rng.uniform(0.9, room.depth - 0.9)])
        yaw = float(rng.choice([0.0, math.pi / 2]))
        table = planner.middle(pick[0], pick[1], centre, yaw)
        if table is None:
            continue
        if chair is None:
            return
        x0, y0, x1, y1 = footprint(table)
        n = int(rng.integers(chairs[0], chairs[1] + 1))
        spots = []
        for k in range(max(1, int((x1 - x0) / 0.6))):
            fx = x0 + (k + 0.5) * (x1 - x0) / max(1, int((x1 - x0) / 0.6))
            spots += [(np.array([fx, y0 - 0.25]), 0.0), (np.array([fx, y1 + 0.25]), math.pi)]
        for k in range(max(1, int((y1 - y0) / 0.6))):
            fy = y0 + (k + 0.5) * (y1 - y0) / max(1, int((y1 - y0) / 0.6))
            spots += [(np.array([x0 - 0.25, fy]), -math.pi / 2), (np.array([x1 + 0.25, fy]), math.pi / 2)]
        rng.shuffle(spots)
        for c, yaw_c in spots[:n]:
            jitter = rng.normal(0, 0.05, 2)
            # A chair faces the table: its front (-y in its frame) points at the table.
            planner.middle(chair[0], chair[1], c + jitter, yaw_c + math.pi + rng.normal(0, 0.15))
        return


def _desk_rows(planner: Planner, cat: Catalogue, rng: np.random.Generator) -> None:
    desk = cat.pool(14, rng, max_side=1.8) or cat.pool(7, rng, max_side=1.6)
    chair = cat.pool(5, rng, max_side=0.8)
    if desk is None:
        return
    room = planner.room
    w, d = desk[0].width / 100, desk[0].depth / 100
    cols = max(1, int((room.width - 1.0) / (w + 0.4)))
    rows = max(1, int((room.depth - 1.5) / (d + 1.0)))
    for r in range(rows):
        for c in range(cols):
            centre = np.array([0.5 + (c + 0.5) * (room.width - 1.0) / cols, 1.2 + r * (d + 1.0) + d / 2])
            if planner.middle(desk[0], desk[1], centre, math.pi) and chair is not None:
                planner.middle(chair[0], chair[1], centre + np.array([0, d / 2 + 0.3]), 0.0)


def _lounge(planner: Planner, cat: Catalogue, rng: np.random.Generator) -> None:
    """A coffee table in the middle, armchairs or a sofa facing it."""
    small = cat.pool(7, rng, max_side=1.4)
    if small is None:
        return
    room = planner.room
    centre = np.array([room.width / 2, room.depth / 2]) + rng.normal(0, 0.3, 2)
    if planner.middle(small[0], small[1], centre, float(rng.choice([0.0, math.pi / 2]))) is None:
        return
    for _ in range(int(rng.integers(0, 3))):
        seat = cat.pool("5:armchair", rng) or cat.pool(5, rng)
        if seat is None:
            return
        ang = rng.uniform(0, 2 * math.pi)
        pos = centre + 1.1 * np.array([math.cos(ang), math.sin(ang)])
        # Face the table: the front, R(yaw)·(0, -1) = (sin yaw, -cos yaw), along centre - pos.
        to = centre - pos
        planner.middle(seat[0], seat[1], pos, math.atan2(to[0], -to[1]))


def _props_on_hosts(planner: Planner, cat: Catalogue, rng: np.random.Generator, count: int) -> None:
    hosts = [p for p in planner.room.placements if p.label in HOSTS and p.z == 0.0 and p.item.height < 130]
    if not hosts:
        return
    for _ in range(count):
        host = hosts[rng.integers(len(hosts))]
        label = int(rng.choice(sorted(PROP_LABELS)))
        pick = cat.pool(label, rng, max_side=0.5)
        if pick is None or pick[0].height > 60:
            continue
        x0, y0, x1, y1 = footprint(host)
        w, d = pick[0].width / 100, pick[0].depth / 100
        if x1 - x0 < w or y1 - y0 < d:
            continue
        centre = np.array([rng.uniform(x0 + w / 2, x1 - w / 2), rng.uniform(y0 + d / 2, y1 - d / 2)])
        planner.room.placements.append(Placement(pick[0], pick[1], centre, float(rng.uniform(0, 2 * math.pi)), host.item.height / 100))


def _wall_decor(planner: Planner, cat: Catalogue, rng: np.random.Generator) -> None:
    """Pictures hung on walls; curtains or blinds at windows; a whiteboard maybe."""
    room = planner.room
    for _ in range(int(rng.integers(0, 4))):
        pick = cat.pool(11, rng)
        if pick is None:
            break
        wall = int(rng.integers(WALLS))
        w, d, h = (pick[0].width / 100, pick[0].depth / 100, pick[0].height / 100)
        length = planner.wall_length(wall)
        if w + 0.2 > length:
            continue
        t = rng.uniform(w / 2 + 0.1, length - w / 2 - 0.1)
        bottom = rng.uniform(1.2, 1.7) - h / 2
        if planner.hits_opening(wall, t - w / 2, t + w / 2):
            continue
        centre, yaw = planner.wall_pose(wall, t, d / 2 + 0.005)
        room.placements.append(Placement(pick[0], pick[1], centre, yaw, max(bottom, 0.3), wall))
    for wall, a, b, bottom, top in list(room.openings):
        if bottom < 0.3 or rng.random() < 0.5:
            continue  # a door, or a bare window
        pick = cat.pool(16 if rng.random() < 0.6 else 13, rng)
        if pick is None:
            continue
        item, label = pick
        d = item.depth / 100
        # Curtains hang either side; blinds over the glass. Stretched to the window by scale.
        sides = [a - 0.15, b + 0.15] if label == 16 else [(a + b) / 2]
        for t in sides:
            length = planner.wall_length(wall)
            if not (item.width / 200 < t < length - item.width / 200):
                continue
            centre, yaw = planner.wall_pose(wall, t, d / 2 + 0.06)
            z = max(0.0, min(top + 0.1, room.height - 0.05) - item.height / 100)
            room.placements.append(Placement(item, label, centre, yaw, z, wall))


def plan_room(cat: Catalogue, rng: np.random.Generator, kind: str | None = None) -> Room:
    kind = kind or str(rng.choice(sorted(KINDS)))
    (w0, w1), (d0, d1) = ROOM_SIZES[kind]
    room = Room(kind, float(rng.uniform(w0, w1)), float(rng.uniform(d0, d1)), float(rng.uniform(2.4, 3.2)),
                ceiling=bool(rng.random() < 0.35))
    planner = Planner(room, rng)
    for _ in range(int(rng.integers(1, 3))):
        pick = cat.pool(8, rng)
        if pick is not None:
            planner.opening(*pick, bottom=0.0)
    for _ in range(int(rng.integers(0, 4))):
        pick = cat.pool(9, rng)
        if pick is not None:
            tall = pick[0].height > 180  # a French window reaches the floor
            planner.opening(*pick, bottom=0.0 if tall else float(rng.uniform(0.7, 1.1)))
    spec = KINDS[kind]
    for pool, lo, hi in spec["wall"]:
        for _ in range(int(rng.integers(lo, hi + 1))):
            pick = cat.pool(pool, rng)
            if pick is not None:
                planner.against_wall(*pick)
    for group, lo, hi in spec["middle"]:
        for _ in range(int(rng.integers(lo, hi + 1))):
            if group == "dining":
                _table_group(planner, cat, rng, (2, 8))
            elif group == "desks":
                _desk_rows(planner, cat, rng)
            elif group == "lounge":
                _lounge(planner, cat, rng)
            elif group in ("rug", "bathmat"):
                pick = cat.pool("20:" + ("bath" if group == "bathmat" else ""), rng)
                if pick is not None:
                    centre = np.array([rng.uniform(0.5, room.width - 0.5), rng.uniform(0.5, room.depth - 0.5)])
                    # Rugs lie under furniture: placed without blocking the floor.
                    p = Placement(pick[0], pick[1], centre, float(rng.choice([0.0, math.pi / 2])), 0.0)
                    if planner.fits(p, on_floor=False):
                        room.placements.append(p)
            elif group == "floor":
                label = int(rng.choice([40, 40, 29, 37, 21, 39, 35]))
                pick = cat.pool(label, rng, max_side=0.9)
                if pick is not None:
                    planner.anywhere(*pick)
            else:
                pick = cat.pool(group, rng)
                if pick is not None:
                    planner.anywhere(*pick)
    _props_on_hosts(planner, cat, rng, int(rng.integers(1, 8)))
    _wall_decor(planner, cat, rng)
    return room
