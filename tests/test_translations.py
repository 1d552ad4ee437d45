"""The Spanish catalogue: complete, consistent, and the compiled .mo is the .po.

The .mo is committed (a fresh clone serves Spanish with no build step); this
test is what keeps it from drifting from the .po it is compiled from.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "server" / "translations" / "es" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None}
METHODS = [("server/**.py", "python"), ("server/templates/**.html", "jinja2")]  # as babel.cfg has them


def spanish():
    with open(CATALOG / "messages.po", "rb") as po:
        return read_po(po)


def test_the_committed_mo_is_the_compiled_po():
    compiled = io.BytesIO()
    write_mo(compiled, spanish())
    assert (CATALOG / "messages.mo").read_bytes() == compiled.getvalue(), (
        "server/translations: run `make translations` after editing messages.po"
    )


def test_every_interface_string_has_a_spanish_translation():
    catalog = spanish()
    found = {message[2] if isinstance(message[2], str) else message[2][0]
             for message in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    assert len(found) > 150
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert sorted(found - translated) == [], "untranslated: add them to messages.po"


def test_translations_keep_their_placeholders_and_are_not_fuzzy():
    catalog = spanish()
    problems = [(message.id, [str(e) for e in errors]) for message, errors in catalog.check()]
    assert problems == []
    assert not [m.id for m in catalog if m.id and m.fuzzy]
