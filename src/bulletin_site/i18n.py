"""The editor's language: 繁體中文 when the locale is Chinese (``LANG=zh_MO.UTF-8``, any
``zh_*``), English otherwise, through the standard library's gettext.

The catalogue is ``locale/zh/LC_MESSAGES/bulletin-site.po`` in the package, compiled to the
``.mo`` beside it (``python3 tools/catalogue.py``; tests/test_i18n.py checks that the two
agree): the ``.mo`` is committed, so a plain ``pip install .`` and an editable install both
have it as package data, and nothing is compiled at install time. Every command chooses the
language once, from the environment it is given (no global state), and hands it to what
prints: a message is kept in English with its template and values (errors.Problem) and put
into the editor's language only when it is shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

from bulletin_site.errors import ENGLISH, Language

DOMAIN = "bulletin-site"
LOCALE = Path(__file__).resolve().parent / "locale"
# The variables gettext reads, in its order: the first that is set decides.
VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def language(environ: Mapping[str, str]) -> Language:
    """The language of the locale in ``environ`` (the process's environment, or a test's)."""
    for variable in VARIABLES:
        value = environ.get(variable)
        if value:
            wanted = [part for part in value.split(":") if part]
            break
    else:
        return ENGLISH
    if not wanted or not wanted[0].lower().startswith("zh"):  # the first choice decides
        return ENGLISH
    return chinese()


def chinese() -> Language:
    """The catalogue itself (for tests, and for anything that must be in Chinese)."""
    return gettext.translation(DOMAIN, LOCALE, languages=["zh"])
