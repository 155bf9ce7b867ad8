"""The quick select renders exactly what Django's template select renders (as HTML)."""

from django import forms
from django.test.html import parse_html
from django.utils.translation import gettext_lazy

from silakso.forms import QuickSelect

CHOICES = [
    ("", "---"),
    ("Kecamatan Koba", [("19.04.01.2001", 'Desa "Nibung" & <Koba>'), ("19.04.01.2002", "Arung")]),
    ("19.04.02.2001", "Lubuk"),
    ("19.04.02.2002", gettext_lazy("Search")),  # a translated label
    ("19.04.02.2003", "Jum'at"),
    (None, "tanpa kode"),
]


class _Form(forms.Form):
    template = forms.ChoiceField(choices=CHOICES)
    quick = forms.ChoiceField(choices=CHOICES, widget=QuickSelect)


def test_quick_select_matches_the_template_widget_with_groups_escaping_and_selection():
    form = _Form(initial={"template": "19.04.01.2002", "quick": "19.04.01.2002"})
    expected = str(form["template"]).replace('"template"', '"x"').replace("id_template", "id_x")
    quick = str(form["quick"]).replace('"quick"', '"x"').replace("id_quick", "id_x")
    assert parse_html(quick) == parse_html(expected)
    assert "&lt;Koba&gt;" in quick


def test_quick_select_keeps_the_error_attributes_of_a_bound_form():
    form = _Form(data={"template": "", "quick": ""})
    assert not form.is_valid()
    expected = str(form["template"]).replace('"template"', '"x"').replace("id_template", "id_x")
    quick = str(form["quick"]).replace('"quick"', '"x"').replace("id_quick", "id_x")
    assert parse_html(quick) == parse_html(expected)
    assert 'aria-invalid="true"' in quick
