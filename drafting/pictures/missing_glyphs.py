"""Keep a PDF's text extractable when some characters have no font on this machine.

When no installed font covers a character (Japanese without fonts-noto-cjk, say), WeasyPrint
draws .notdef from the font the run started in (Inter) by giving that font an embedded
/Encoding CMap instead of /Identity-H: codes of real glyphs map to themselves, codes of missing
ones to glyph 0. The text stays right in the font's ToUnicode map, but pypdf (and the tools built
on it, our own knowledge ingestion included) cannot decode an embedded encoding CMap, so *every*
character drawn in that font, Latin included, comes out as raw codes.

The same drawing can be said the way every reader understands: /Identity-H for the encoding and
the "missing → glyph 0" part moved into the descendant font's /CIDToGIDMap (ISO 32000-2, 9.7.4.2),
which only TrueType-based CID fonts have; others are left as WeasyPrint wrote them. The boxes
are the same; each now advances by the width Pango laid it out with (WeasyPrint's /W entry for
its code) instead of the first missing glyph's, so the text after it sits where Pango put it.
"""

from __future__ import annotations

import re
from typing import Any

import pydyf

_CIDCHAR = re.compile(rb"^<([0-9a-fA-F]{4})> (\d+)$")


def identity_encode_fonts(_document: Any, pdf: pydyf.PDF) -> None:
    """A WeasyPrint `finisher`: rewrites, in place, every Type0 font that has an embedded
    encoding CMap as /Identity-H plus a CIDToGIDMap that draws the same glyphs."""
    objects = {obj.reference: obj for obj in pdf.objects}
    for font in list(pdf.objects):
        if not (isinstance(font, pydyf.Dictionary) and font.get("Subtype") == "/Type0"):
            continue
        encoding = objects.get(font.get("Encoding"))  # a name (/Identity-H) is not an object
        descendants = font.get("DescendantFonts")
        if not isinstance(encoding, pydyf.Stream) or not descendants or len(descendants) != 1:
            continue
        cid_font = objects.get(descendants[0])
        if not (
            isinstance(cid_font, pydyf.Dictionary)
            and cid_font.get("Subtype") == "/CIDFontType2"
            and cid_font.get("CIDToGIDMap") == "/Identity"
        ):
            continue
        cids = _code_to_cid(encoding)
        if cids is None:
            continue
        glyphs = list(range(max(cids, default=0) + 1))
        for code, cid in cids.items():
            glyphs[code] = cid
        cid_to_gid = pydyf.Stream(
            [b"".join(g.to_bytes(2, "big") for g in glyphs)], compress=encoding.compress
        )
        pdf.add_object(cid_to_gid)
        cid_font["CIDToGIDMap"] = cid_to_gid.reference
        font["Encoding"] = "/Identity-H"


def _code_to_cid(encoding: pydyf.Stream) -> dict[int, int] | None:
    """The `begincidchar` entries of a 2-byte CMap, or None if it holds anything else (ranges,
    other code widths) that this rewrite would not carry over faithfully."""
    lines = [line if isinstance(line, bytes) else str(line).encode() for line in encoding.stream]
    if b"begincidrange" in lines or b"<0000> <ffff>" not in lines:
        return None
    cids: dict[int, int] = {}
    for line in lines:
        if match := _CIDCHAR.match(line):
            cids[int(match[1], 16)] = int(match[2])
    return cids
