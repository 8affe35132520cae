"""The credit list for the furniture models that train rtgs2's networks (CC-BY 3.0 asks for it):
per catalogue, its licence and copyright holder, then every creator named in its index with
how many of its models rooms may use (the `train` split, after the NYU40 rules).

    python -m rtgs2_train.furnished.credits CATALOGUE... > ../docs/furniture_credits.md
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from .catalogue import read_catalogues
from .make_rooms import split_items

# From Debian's copyright file of sweethome3d-furniture 1.8 and the catalogues' LICENSE.TXT.
LICENCES = {
    "BlendSwap-CC-0": ("CC0 1.0 (public domain)", "Emmanuel Puybaret / eTeks and the BlendSwap contributors"),
    "BlendSwap-CC-BY": ("CC BY 3.0", "the BlendSwap contributors (named below)"),
    "KatorLegaz": ("CC BY 3.0 US", "Andrew Kator & Jennifer Legaz, 2003-2008"),
    "Reallusion": ("CC BY 3.0 US", "Reallusion (www.reallusion.com), 2008-2011"),
    "Scopia": ("CC BY 3.0", "Emmanuel Puybaret / eTeks and Scopia Visual Interfaces Systems, s.l. (www.scopia.es)"),
    "default": ("GPL-2.0-or-later (Sweet Home 3D 7.0.2, Debian package sweethome3d)", "Emmanuel Puybaret / eTeks and contributors"),
}


def main(argv: list[str]) -> int:
    items = read_catalogues([Path(a) for a in argv])
    used = {it.key for it, _ in split_items(items, "train")}
    print("# Furniture credits\n")
    print("The furnished training rooms (`training/furnished_rooms.sh`) place 3D models from Sweet Home 3D's")
    print("furniture catalogues (Debian packages `sweethome3d-furniture` 1.8 and `sweethome3d` 7.0.2).")
    print("No model, texture or room made from them is in this repository; the networks in `models/`")
    print("were trained on renders of rooms furnished with the models below (the `train` split; a")
    print("quarter of the models, chosen by a hash of their id, is kept out for checking).\n")
    for cat in sorted({it.catalogue for it in items}):
        licence, holder = LICENCES.get(cat, ("see the catalogue's LICENSE.TXT", "see the catalogue"))
        creators = Counter(it.creator or "unnamed" for it in items if it.catalogue == cat and it.key in used)
        print(f"## {cat}\n\nLicence: {licence}. Copyright: {holder}.\n")
        print(", ".join(f"{c} ({n})" for c, n in sorted(creators.items(), key=lambda kv: (-kv[1], kv[0]))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
