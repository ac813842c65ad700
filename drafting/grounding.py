"""Grounding check: every figure in an item must appear in its cited sources or the user's words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from drafting.draft import Draft, Item

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_SCALES = {
    "thousand": Decimal(10) ** 3,
    "k": Decimal(10) ** 3,
    "million": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "mm": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
}
_CURRENCY = r"(?:US\$|USD|EUR|GBP|CHF|\$|€|£)"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"

# Order matters: dates and quarters are tried before bare numbers so "2026-03-01" stays whole.
_FIGURE = re.compile(
    rf"""
    (?P<iso>\b\d{{4}}-\d{{2}}-\d{{2}}\b)
  | (?P<quarter>\b[QH][1-4](?:\s*(?:FY\s*)?'?(?P<qyear>\d{{4}}|\d{{2}})\b)?)
  | (?P<fy>\bFY\s*'?(?P<fyear>\d{{4}}|\d{{2}})\b)
  | (?P<mdy>\b(?P<m1>{_MONTH_RE})\.?\s+(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<y1>\d{{4}})\b)
  | (?P<dmy>\b(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_RE})\.?,?\s+(?P<y2>\d{{4}})\b)
  | (?P<num>
        (?:(?P<cur>{_CURRENCY})\s?)?
        (?<![A-Za-z0-9_.])(?<![A-Za-z]-)
        (?P<value>{_NUMBER})
        (?:\s?(?P<scale>thousand|million|billion|mn|bn|mm|[kKmMbB])(?![A-Za-z]))?
        (?P<pct>\s?(?:%|percent\b|pp\b|percentage\s+points?\b))?
        (?P<tail>[A-Za-z]*)
    )
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    """A figure as written, and the normalised keys any of which a source must contain."""

    surface: str
    keys: frozenset[str]


def _decimal_key(value: Decimal) -> str:
    normal = value.normalize()
    text = format(normal, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _figure_from_match(match: re.Match[str], *, lenient: bool) -> Figure | None:
    surface = match.group(0).strip()
    if match.group("iso"):
        iso_year, iso_month, _day = surface.split("-")
        keys = {surface}
        if lenient:
            keys |= {f"{iso_year}-{iso_month}", iso_year}
        return Figure(surface, frozenset(keys))
    if match.group("quarter"):
        quarter = surface[:2].lower()
        if match.group("qyear"):
            q_year = _year(match.group("qyear"))
            keys = {f"{quarter}-{q_year}"}
            if lenient:
                keys |= {quarter, str(q_year)}
            return Figure(surface, frozenset(keys))
        return Figure(surface, frozenset({quarter}))
    if match.group("fy"):
        return Figure(surface, frozenset({str(_year(match.group("fyear")))}))
    if match.group("mdy") or match.group("dmy"):
        month_name = (match.group("m1") or match.group("m2")).lower()
        day_text = match.group("d1") or match.group("d2")
        year = int(match.group("y1") or match.group("y2"))
        month = _MONTHS[month_name]
        keys = {f"{year}-{month:02d}-{int(day_text):02d}"} if day_text else {f"{year}-{month:02d}"}
        if lenient:
            keys |= {f"{year}-{month:02d}", str(year)}
        return Figure(surface, frozenset(keys))
    return _number_figure(match, surface, lenient=lenient)


def _number_figure(match: re.Match[str], surface: str, *, lenient: bool) -> Figure | None:
    try:
        value = Decimal(match.group("value").replace(",", ""))
    except InvalidOperation:
        return None
    scale_text = (match.group("scale") or "").lower()
    has_currency = bool(match.group("cur"))
    # A lone "m" is minutes or metres unless money is being talked about.
    explicit_scale = scale_text in {"thousand", "million", "billion", "mn", "bn", "mm", "k"} or (
        scale_text in {"m", "b"} and (has_currency or match.group("scale") in {"M", "B"})
    )
    raw = _decimal_key(value)
    keys = {raw}
    if explicit_scale:
        scaled = _decimal_key(value * _SCALES[scale_text])
        keys = {scaled, raw} if lenient else {scaled}
    return Figure(surface, frozenset(keys))


def extract_figures(text: str, *, lenient: bool = False) -> list[Figure]:
    """Figures in `text`; `lenient` adds looser keys, for the source side of a comparison."""
    figures = []
    for match in _FIGURE.finditer(text):
        figure = _figure_from_match(match, lenient=lenient)
        if figure is not None:
            figures.append(figure)
    return figures


def figure_keys(texts: Iterable[str]) -> set[str]:
    """Every key the given source texts can support."""
    keys: set[str] = set()
    for text in texts:
        for figure in extract_figures(text, lenient=True):
            keys |= figure.keys
    return keys


def unsupported_figures(text: str, supported: set[str]) -> list[str]:
    """Figures in `text` with no matching key in `supported`, in order, without repeats."""
    missing: list[str] = []
    for figure in extract_figures(text):
        if not figure.keys & supported and figure.surface not in missing:
            missing.append(figure.surface)
    return missing


def check_item(item: Item, source_texts: Mapping[str, str], user_text: str = "") -> Item:
    """The item with `unsupported_figures` recomputed against its own cited sources."""
    corpus = [source_texts[sid] for sid in item.sources if sid in source_texts]
    supported = figure_keys([*corpus, user_text])
    missing = unsupported_figures(f"{item.label} {item.text}", supported)
    return item.model_copy(update={"unsupported_figures": missing})


def user_words(draft: Draft, user_text: str = "") -> str:
    """What people wrote around a draft (request, subject, lens, mission): figures there count."""
    return " ".join(filter(None, [user_text, draft.subject, draft.lens or "", draft.mission or ""]))


def check_draft(draft: Draft, source_texts: Mapping[str, str], user_text: str = "") -> Draft:
    """Re-run the check on every item; `source_texts` maps source ids to their full text."""
    texts = {sid: ref.excerpt for sid, ref in draft.sources.items()} | dict(source_texts)
    user = user_words(draft, user_text)
    sections = [
        section.model_copy(
            update={"items": [check_item(item, texts, user) for item in section.items]}
        )
        for section in draft.sections
    ]
    return draft.model_copy(update={"sections": sections})


def grounded_share(drafts: Iterable[Draft]) -> tuple[int, int]:
    """(items whose figures are all grounded, all items) across the drafts."""
    items = [item for draft in drafts for item in draft.items()]
    return sum(1 for item in items if not item.unsupported_figures), len(items)
