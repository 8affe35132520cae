"""NYU40 classes for Sweet Home 3D models, from their English names (and category where the
name says nothing). Rules are tried in order; the first whose words all appear wins. A class
of None means the model is left out of rooms (light sources, wall plugs, whole-room models).
Small unnamed things become otherprop (40), large ones otherfurniture (39), as ScanNet's
annotators did."""

from __future__ import annotations

import re

# (words that must all appear in the lower-case name, NYU40 id or None)
RULES: list[tuple[tuple[str, ...], int | None]] = [
    # Left out: not furniture, or not something a room scan shows as one object.
    *[((w,), None) for w in (
        "light source", "socket", "switch", "plug", "intercom", "smoke detector", "emergency",
        "cctv", "surveillance", "elevator", "garage", "container", "fence", "railing", "mower",
        "pallet", "chimney", "lamppost", "street", "park light", "porch", "outdoor", "living room",
        "christmas", "deer", "biplane", "car model", "shutter", "staircase", "ladder", "wood logs",
        "bill ", "sliding doors", "mannequin", "punching", "shovel", "cone", "cylinder", "triangle",
    )],
    (("shower", "curtain"), 28),
    (("shower door",), 38),
    (("curtain",), 16),
    (("curtains",), 16),
    (("glass door cabinet",), 3),
    (("paper towel",), 40),
    *[((w,), 40) for w in (
        "plant", "ficus", "yucca", "bamboo", "orchids", "tulips", "flowers", "cactus", "bonsai",
        "spathiphyllum", "lily",
    )],
    (("blind",), 13),
    (("door", "frame"), 8),
    (("window",), 9),
    (("service hatch",), 9),
    (("door",), 8),
    (("bedside",), 32),
    (("night", "stand"), 32),
    (("convertible sofa",), 6),
    (("futon couch",), 6),
    (("changing table",), 39),
    (("bed",), 4),
    (("crib",), 4),
    (("futon",), 4),
    (("mattress",), 4),
    (("sleeping bag",), 4),
    (("toilet", "paper"), 40),
    (("toilet", "brush"), 40),
    (("toilet",), 33),
    (("urinal",), 33),
    (("bathmat",), 20),
    (("bath",), 36),
    (("bathtub",), 36),
    (("shower",), 38),
    (("sink cabinet",), 3),
    (("sink",), 34),
    (("basin",), 34),
    (("lavatory",), 34),
    (("vanity",), 34),
    (("fridge",), 24),
    (("refrigerator",), 24),
    (("freezer",), 24),
    (("tv remote",), 40),
    (("tv stand",), 39),
    (("tv unit",), 39),
    (("television cabinet",), 39),
    (("tv",), 25),
    (("television",), 25),
    (("imac",), 25),
    (("white board",), 30),
    (("whiteboard",), 30),
    (("bookcase",), 10),
    (("bookshelf",), 10),
    (("book",), 23),
    (("newspaper",), 26),
    (("calendar",), 26),
    (("upper shelves cabinet",), 3),
    (("shelves",), 15),
    (("shelf",), 15),
    (("lamp",), 35),
    (("chandelier",), 35),
    (("lantern",), 35),
    (("spotlight",), 35),
    (("uplight",), 35),
    (("hanging light",), 35),
    (("fluorescent",), 35),
    (("track lights",), 35),
    (("wall light",), 35),
    (("desk",), 14),
    (("dressing table",), 17),
    (("dresser",), 17),
    (("chest freezer",), 24),
    (("chest",), 17),
    (("drawers cabinet",), 17),
    (("island",), 12),
    (("cabinet",), 3),
    (("cupboard",), 3),
    (("wardrobe",), 3),
    (("locker",), 3),
    (("safe",), 3),
    (("ottoman",), 39),
    (("sofa",), 6),
    (("couch",), 6),
    (("piano bench",), 39),
    (("bench",), 39),
    (("chair",), 5),
    (("armchair",), 5),
    (("stool",), 5),
    (("class seat",), 5),
    (("puff",), 39),
    (("table tennis bat",), 40),
    (("table fan",), 40),
    (("pool table",), 39),
    (("football table",), 39),
    (("table tennis",), 39),
    (("table",), 7),
    (("mirror",), 19),
    (("frame",), 11),
    (("towel rack",), 40),
    (("towel",), 27),
    (("pillow",), 18),
    (("cushion",), 18),
    (("rug",), 20),
    (("carpet",), 20),
    (("doormat",), 20),
    (("tatami",), 20),
    (("clothes basket",), 40),
    (("clothes washer",), 39),
    (("clothes washing",), 39),
    (("clothes rack",), 39),
    (("clothes horse",), 39),
    (("clothes hanger",), 40),
    *[((w,), 21) for w in (
        "clothes", "dress", "jacket", "trousers", "short", "skirt", "suit", "cap", "hat", "glove",
        "shoes", "sneakers", "slippers", "mocassin", "bootie",
    )],
    (("suitcase",), 37),
    (("backpack",), 37),
    (("handbag",), 37),
    (("briefcase",), 37),
    (("box",), 29),
    (("crate",), 29),
    (("gift",), 29),
    (("trunck",), 29),
    (("radiator",), 39),
    (("piano",), 39),
    (("fireplace",), 38),
    (("oven",), 39),
    (("cooker",), 39),
    (("stove",), 39),
    (("dishwasher",), 39),
    (("washing machine",), 39),
    (("dryer",), 39),
    (("boiler",), 39),
    (("water heater",), 39),
    (("hood",), 39),
    (("water cooler",), 39),
]

# Below this largest dimension (metres) an unnamed model is a prop, above it furniture.
PROP_SIZE_M = 0.6


def _words(name: str) -> str:
    return " " + re.sub(r"[^a-z0-9]+", " ", name.lower()).strip() + " "


def nyu40_for(name: str, largest_dimension_m: float) -> int | None:
    """The NYU40 id for a model named `name`, or None to leave it out."""
    text = _words(name)
    for words, label in RULES:
        # Whole words or phrases, so "cap" does not match "capital" nor "bed" "bedside".
        if all(f" {w.strip()} " in text for w in words):
            return label
    return 40 if largest_dimension_m < PROP_SIZE_M else 39
