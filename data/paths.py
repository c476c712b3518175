"""Page paths in the one form that both visits and criteria are compared in."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_URL_START = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalise_path(value: str) -> str:
    """Reduce a URL or request target to its decoded, lower-case path.

    The query string and fragment are dropped before percent-decoding, so an
    encoded `%3F` stays part of the path instead of starting a query.
    """
    text = value.strip()
    if _URL_START.match(text):
        text = urlsplit(text).path or "/"
    else:
        text = text.split("#", 1)[0].split("?", 1)[0]
    return unquote(text, errors="replace").lower()


def strip_one_slash(path: str) -> str:
    """The path without one trailing slash, as `equals` compares it."""
    return path[:-1] if path.endswith("/") else path
