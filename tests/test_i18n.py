"""Bahasa Indonesia is the default and its catalogue is complete and compiled."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str):
    """(msgid, msgstr, fuzzy) for every entry of a .po file (plural forms included)."""
    blocks = text.split("\n\n")
    for block in blocks[1:]:
        if block.lstrip().startswith("#~"):
            continue
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = "".join(re.findall(r'^msgid "(.*)"$|^"(.*)"$', block, re.M)[0])
        strings = re.findall(r'^msgstr(?:\[\d\])? "(.*)"((?:\n".*")*)', block, re.M)
        values = [first + "".join(re.findall(r'"(.*)"', rest)) for first, rest in strings]
        yield msgid, values, fuzzy


def test_indonesian_catalogue_is_complete():
    untranslated = [
        msgid for msgid, values, fuzzy in _entries(PO.read_text()) if fuzzy or not all(values)
    ]
    assert untranslated == []


def test_compiled_catalogue_is_up_to_date(tmp_path):
    """The committed .mo is exactly what msgfmt makes of the committed .po (`make messages`)."""
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert MO.read_bytes() == fresh.read_bytes()


def test_default_language_is_indonesian(client, db):
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "id"
    page = client.get("/").content.decode()
    assert 'lang="id"' in page
    assert "Ajukan bantuan" in page and "Sign in" not in page
