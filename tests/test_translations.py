"""Indonesian is the default language: every user-facing string has its
Indonesian text, and the committed catalogs are compiled."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_catalog_is_compiled_and_current(language: str) -> None:
    po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"run compilemessages for {language}"
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(mo_path))}
    for entry in polib.pofile(str(po_path)).translated_entries():
        assert compiled.get(entry.msgid) == entry.msgstr, entry.msgid


def test_every_string_has_indonesian_text() -> None:
    catalog = polib.pofile(str(LOCALE / "id" / "LC_MESSAGES" / "django.po"))
    untranslated = [
        e.msgid for e in catalog if not e.obsolete and (not e.translated() or e.fuzzy)
    ]
    assert untranslated == []


def test_drfs_messages_missing_from_its_catalog_are_indonesian_in_ours() -> None:
    from django.utils import translation

    from mobile_api.drf_messages import MESSAGES

    with translation.override("id"):
        english = [text for text in MESSAGES if translation.gettext(text) == text]
    assert english == []
