"""Invented names: places, schools, trusts and people that are plainly not Oldham's."""

from __future__ import annotations

import re

import numpy as np

from oep.tools.demo.calibration import (
    ALL_THROUGH,
    NURSERY,
    PRIMARY,
    PRU,
    SECONDARY,
    SPECIAL,
)

# Name endings by kind and type; "{}" is the invented place name.
NAME_TEMPLATES: dict[tuple[int, str], tuple[str, ...]] = {
    (PRIMARY, "Community school"): ("{} Primary School", "{} Community Primary School",
                                    "{} Infant and Nursery School"),
    (PRIMARY, "Voluntary aided school"): ("{} RC Primary School", "{} CofE Primary School"),
    (PRIMARY, "Voluntary controlled school"): ("{} CofE Primary School",),
    (PRIMARY, "Foundation school"): ("{} Primary School",),
    (PRIMARY, "Academy converter"): ("{} Primary Academy", "{} Primary School"),
    (PRIMARY, "Academy sponsor led"): ("{} Primary Academy",),
    (PRIMARY, "Free schools"): ("{} Free Primary School",),
    (SECONDARY, "Community school"): ("{} High School",),
    (SECONDARY, "Voluntary aided school"): ("{} RC High School", "{} CofE High School"),
    (SECONDARY, "Foundation school"): ("{} School",),
    (SECONDARY, "Academy converter"): ("{} Academy", "{} High School"),
    (SECONDARY, "Academy sponsor led"): ("{} Academy",),
    (SECONDARY, "Free schools"): ("{} Free School",),
    (SPECIAL, "Community special school"): ("{} Special School",),
    (SPECIAL, "Academy special converter"): ("{} Special Academy",),
    (PRU, "Pupil referral unit"): ("{} Pupil Referral Unit", "{} Learning Centre"),
    (ALL_THROUGH, "Academy sponsor led"): ("{} All-through Academy",),
    (ALL_THROUGH, "Free schools"): ("{} All-through Free School",),
    (NURSERY, "Local authority nursery school"): ("{} Nursery School",),
}

STEMS = (
    "Brack", "Cawl", "Dunn", "Elsk", "Fenn", "Garr", "Harl", "Jessel", "Kell", "Lum", "Marl",
    "Nettle", "Orl", "Pell", "Quarn", "Rook", "Skel", "Tarn", "Umber", "Vell", "Wrang", "Yarr",
    "Hollin", "Brin", "Cragg", "Daw", "Elder", "Fell", "Glim", "Heathe", "Ivel", "Kest", "Lark",
    "Merl", "Nab", "Pike", "Rill", "Sorrel", "Thrush", "Wimble", "Hask", "Mosk", "Bramb", "Corr",
    "Dell", "Eskle", "Fald", "Gorse", "Hobb", "Iley", "Jorr", "Knaw", "Lidd", "Mirk", "Norl",
    "Osk", "Pren", "Quill", "Rusk", "Sedge", "Tull", "Ulla", "Vard", "Whin", "Yeld", "Zell",
    "Brem", "Cusk", "Drum", "Frith",
)
ENDINGS = (
    "brook", "bank", "beck", "by", "cliffe", "combe", "dale", "den", "edge", "field", "fold",
    "ford", "gate", "ham", "holme", "hurst", "ley", "low", "mere", "moor", "royd", "side",
    "stead", "thorpe", "ton", "well", "wick", "worth", "bridge", "cote", "croft", "garth",
    "haugh", "lea", "mead", "nook", "ridge", "rigg", "scar", "shaw", "slack", "stone", "thwaite",
    "wood", "yate",
)
QUALIFIERS = ("North", "South", "East", "West", "Upper", "Lower", "High", "Little", "Great", "Old",
              "New", "Nether", "Far", "Middle", "Over")
# Places and school names of Oldham that an invented name must never reproduce.
REAL_OLDHAM_NAMES = frozenset({
    "hollinwood", "moorside", "springhead", "greenfield", "greenacres", "northmoor", "limehurst",
    "firbank", "bealvale", "coppice", "roundthorn", "hodgeclough", "holts", "woodhouses",
    "lyndhurst", "kingsland", "thornham", "clarksfield", "westwood", "werneth", "hathershaw",
    "crompton", "royton", "shaw", "delph", "diggle", "dobcross", "uppermill", "grasscroft",
    "austerlands", "scouthead", "derker", "fittonhill", "limeside", "failsworth", "chadderton",
    "coldhurst", "glodwick", "waterhead", "watersheddings", "sholver", "heyside", "millshill",
    "firwood", "lydgate", "friezland", "denshaw", "springfield", "broadfield", "beever",
    "burnleybrow", "knowsley", "buckstones", "richmond", "rushcroft", "whitegate", "medlock",
    "stanleyroad", "horton", "hollinsbrook", "blackshaw", "alt", "lees", "saddleworth",
})
TRIPLED = re.compile(r"(.)\1\1")  # "Rill" + "lea": no name with a letter three times over
TRUST_STEMS = ("Pennine", "Moorland", "Millstone", "Gritstone", "Bracken", "Curlew", "Lapwing",
               "Kestrel", "Heather", "Spindle", "Weaver", "Beacon", "Summit", "Horizon", "Compass",
               "Lantern", "Northern Lights", "Cotton Mill", "Canal Side", "Ridgeway")
TRUST_KINDS = ("Learning Trust", "Academies Trust", "Education Trust", "Schools Trust",
               "Multi-Academy Trust")
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Priya", "Imran", "Hannah", "Tom", "Aisha", "Chris",
               "Fatima", "Rachel", "Daniel", "Nadia", "Owen", "Zara", "Ruth", "Bilal", "Megan",
               "Ian", "Sadia", "Gareth", "Leanne", "Tariq", "Joanne")
SURNAMES = ("Brackworth", "Fennimore", "Harlowe", "Kestrell", "Marland", "Nettleford",
            "Pellingham", "Quarnby", "Rookwood", "Skelbrook", "Tarnside", "Vellacott",
            "Wrangham", "Yarrowby", "Glimsworth", "Larkbeck", "Sorrelby", "Thrushley")


def places(rng: np.random.Generator) -> list[str]:
    """Unique invented place names: plain stem+ending first, qualified ones after."""
    plain = [s + e for s in STEMS for e in ENDINGS
             if (s + e).lower() not in REAL_OLDHAM_NAMES and not TRIPLED.search(s + e)]
    plain = [plain[i] for i in rng.permutation(len(plain))]
    qualified = [f"{q} {p}" for q in QUALIFIERS for p in plain]
    return plain + [qualified[i] for i in rng.permutation(len(qualified))]


def trust_names(count: int, spare_places: list[str]) -> list[str]:
    curated = [f"{stem} Demo {TRUST_KINDS[i % len(TRUST_KINDS)]}"
               for i, stem in enumerate(TRUST_STEMS)]
    curated += [f"{stem} Demo {kind}" for kind in TRUST_KINDS for stem in TRUST_STEMS
                if f"{stem} Demo {kind}" not in curated]
    extra = [f"{place} Demo {TRUST_KINDS[i % len(TRUST_KINDS)]}"
             for i, place in enumerate(spare_places[: max(0, count - len(curated))])]
    return (curated + extra)[:count]


def persons(rng: np.random.Generator, n: int) -> list[str]:
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(SURNAMES), n)
    return [f"{FIRST_NAMES[f]} {SURNAMES[s]}" for f, s in zip(first, last)]
