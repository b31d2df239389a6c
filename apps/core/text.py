"""Text as the product compares it."""

from __future__ import annotations

import re
import unicodedata
from typing import Any


def normalise(value: Any) -> str:
    """A name or code as it is compared: no accents, no case, punctuation and spaces collapsed.

    The rule of « already there » wherever rows are matched by name: the imports (``apps.imports``) and the
    copy of templates between a consultant's clients (``apps.onboarding.templates_copy``)."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).replace("_", " ").split())
