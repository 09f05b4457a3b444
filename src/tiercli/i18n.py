"""Every text a user reads, in English or Simplified Chinese, from one gettext catalog.

The English text in the code is the message id; ``locale/zh_CN/LC_MESSAGES/tiercli.po`` holds the Chinese
and is compiled to ``tiercli.mo`` beside it (both committed; ``python tools/i18n.py`` extracts, merges and
compiles, and tests/test_i18n.py fails when a message of the code has no Chinese or the ``.mo`` is stale).
Messages with values are templates: ``_("{n} customers").format(n=n)``, so a translation can move the
values; ``format_rows`` does the same for a whole column of reasons at once.

The language is a context, as gettext's installed ``_`` is: the CLI sets it once per command (``--lang`` >
``TIERCLI_LANG`` > tiercli.toml's ``lang`` > English), and everything under it (reasons, problems, notes,
errors) speaks it.  Code that renders for an explicit language (a workbook in ``lang``) uses ``tr(text, lang)``
or ``using(lang)``.  Text marked with ``N_`` is kept in English and translated where it is shown.
"""

from __future__ import annotations

import gettext as _gettext
import os
import string
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

LANGS = ("en", "zh")
DOMAIN = "tiercli"
LOCALE_DIR = Path(__file__).parent / "locale"
_LOCALES = {"zh": "zh_CN"}

_LANG: ContextVar[str] = ContextVar("tiercli_lang", default="")


def normalize(lang: str | None) -> str:
    """``zh``, ``zh_CN``, ``zh-Hans``, ``zh_CN.UTF-8`` -> ``zh``; anything else -> ``en``."""
    return "zh" if (lang or "").strip().lower().startswith("zh") else "en"


def language() -> str:
    """The language of this context: what ``set_language``/``using`` chose, else ``TIERCLI_LANG``, else en."""
    return _LANG.get() or normalize(os.environ.get("TIERCLI_LANG"))


def set_language(lang: str | None) -> None:
    _LANG.set(normalize(lang))


@contextmanager
def using(lang: str | None):
    """Speak ``lang`` inside the block."""
    token = _LANG.set(normalize(lang))
    try:
        yield
    finally:
        _LANG.reset(token)


@cache
def _catalog(lang: str) -> _gettext.NullTranslations:
    if lang == "en":
        return _gettext.NullTranslations()
    path = LOCALE_DIR / _LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with open(path, "rb") as fh:
        return _gettext.GNUTranslations(fh)


def tr(message: str, lang: str | None = None) -> str:
    """``message`` in ``lang`` (default: this context's language); untranslated text stays English."""
    lang = normalize(lang) if lang else language()
    if lang == "en" or not message:
        return message
    return _catalog(lang).gettext(message)


def _(message: str) -> str:
    """``message`` in this context's language (the gettext convention)."""
    return tr(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it now (it is translated where shown)."""
    return message


def pick(en: str, zh: str, lang: str | None = None) -> str:
    """One of a pair kept in data (segmenter labels, preset names): the Chinese in zh, else the English."""
    lang = normalize(lang) if lang else language()
    return (zh or en) if lang == "zh" else en


_FORMATTER = string.Formatter()


def format_rows(template: str, index, **fields):
    """``template.format(**fields)`` for every row at once: a field is a Series (as text, aligned on
    ``index``) or a scalar (formatted with the template's spec).  Returns a string Series on ``index``."""
    import pandas as pd

    out = pd.Series("", index=index, dtype="str")
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        if literal:
            out = out + literal
        if name is None:
            continue
        value = fields[name]
        if isinstance(value, pd.Series):
            text = value.astype("str") if not spec else value.map(lambda v, s=spec: format(v, s)).astype("str")
            out = out + text.reindex(index).fillna("")
        else:
            out = out + _FORMATTER.format_field(_FORMATTER.convert_field(value, conversion), spec)
    return out


def counted(n, one: str, many: str):
    """``"1 sample order"``, ``"3 sample orders"`` for every row: ``one`` and ``many`` are templates with
    ``{n}`` (already translated, so a language without plurals gives the same text for both)."""
    import numpy as np
    import pandas as pd

    number = n.astype("float64").round(0).astype("Int64").astype("str").fillna("?")
    return pd.Series(np.where(n == 1, format_rows(one, n.index, n=number), format_rows(many, n.index, n=number)),
                     index=n.index, dtype="str")


def ngettext(singular: str, plural: str, n: int) -> str:
    """gettext's plural form: each form is its own message in the catalog (Chinese has one form for both)."""
    return tr(singular if n == 1 else plural)
