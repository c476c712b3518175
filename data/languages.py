"""Device language tags, normalised once so that every comparison is simple.

A stored language is a lower-case BCP 47 tag (`en-gb`), or None when the source
value is empty, `und` or not a tag at all. Criteria use the same function, so
`fr-FR`, `fr_fr` and `FR-fr` can only ever meet as `fr-fr`.
"""

from __future__ import annotations

import langcodes
from langcodes.tag_parser import LanguageTagError


def normalise_language(value: object) -> str | None:
    """The comparison form of a language tag, or None when it is unknown."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("_", "-")
    if not text or not langcodes.tag_is_valid(text):
        return None
    try:
        tag = langcodes.standardize_tag(text)
    except (ValueError, LanguageTagError):
        return None
    tag = tag.lower()
    return None if tag == "und" or tag.startswith("und-") else tag


def display_language(tag: str | None) -> str:
    """The conventional spelling of a stored tag (`en-GB`), or `unknown`."""
    if tag is None:
        return "unknown"
    try:
        return langcodes.standardize_tag(tag)
    except (ValueError, LanguageTagError):
        return tag


def tag_matches(listed: str, tag: str) -> bool:
    """Whether a listed tag covers a user's tag: equal, or a prefix at a `-`."""
    return tag == listed or tag.startswith(listed + "-")
