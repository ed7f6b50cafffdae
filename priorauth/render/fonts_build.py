"""Rebuild the letter fonts in ``templates/fonts/`` from Liberation Fonts 2.x (SIL OFL 1.1).

Run once by a developer, not at render time::

    apt-get install fonts-liberation2
    python -m priorauth.render.fonts_build

Each face is subset with fontTools to the characters a US letter needs (Latin-1, Latin
Extended-A for names, typographic punctuation and the few symbols the templates use), hinting
dropped, kerning and ligatures kept. A subset is a *Modified Version* under the OFL, and
"Liberation" is a Reserved Font Name, so the subsets are renamed "Priorauth Serif" and
"Priorauth Sans" (OFL section 3); copyright and licence name records are kept.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from priorauth.paths import templates_dir

SOURCE_DIR = Path("/usr/share/fonts/truetype/liberation2")

FACES = {
    "PriorauthSerif-Regular.ttf": ("LiberationSerif-Regular.ttf", "Priorauth Serif", "Regular"),
    "PriorauthSerif-Bold.ttf": ("LiberationSerif-Bold.ttf", "Priorauth Serif", "Bold"),
    "PriorauthSerif-Italic.ttf": ("LiberationSerif-Italic.ttf", "Priorauth Serif", "Italic"),
    "PriorauthSans-Regular.ttf": ("LiberationSans-Regular.ttf", "Priorauth Sans", "Regular"),
    "PriorauthSans-Bold.ttf": ("LiberationSans-Bold.ttf", "Priorauth Sans", "Bold"),
}

UNICODES = [
    *range(0x20, 0x7F),
    *range(0xA0, 0x100),
    *range(0x100, 0x180),  # Latin-1, Latin Extended-A
    *range(0x2010, 0x2028),
    0x2030,
    0x2032,
    0x2033,
    0x2039,
    0x203A,  # typographic punctuation
    0x20AC,
    0x2116,
    0x2122,
    *range(0x2190, 0x2194),
    0x2212,
    0x2248,
    0x2260,
    0x2264,
    0x2265,
    0x25A0,
    0x25A1,
    0x25CF,
    0x25E6,
    0xFB01,
    0xFB02,
]


def _rename(font: TTFont, family: str, style: str) -> None:
    full = f"{family} {style}" if style != "Regular" else family
    postscript = f"{family.replace(' ', '')}-{style}"
    names = {1: family, 2: style, 3: f"{postscript};subset", 4: full, 6: postscript}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in (16, 17, 18, 21, 22)]
    for record in table.names:
        if record.nameID in names:
            record.string = names[record.nameID]


def build_face(source: Path, target: Path, family: str, style: str) -> int:
    """Subset and rename one face; returns the size in bytes."""
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 11, 13, 14]
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=UNICODES)
    subsetter.subset(font)
    _rename(font, family, style)
    font.save(target)
    return target.stat().st_size


def main() -> None:
    """Build every face into ``templates/fonts/``."""
    out = templates_dir() / "fonts"
    for name, (source, family, style) in FACES.items():
        size = build_face(SOURCE_DIR / source, out / name, family, style)
        sys.stdout.write(f"{name}: {size} bytes\n")


if __name__ == "__main__":
    main()
