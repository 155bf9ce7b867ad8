"""The fast form renderer writes exactly what Django's widget templates write."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from silakso.forms import FastRenderer


class Everything(forms.Form):
    name = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "name", "data-x": 'a "quote" & <tag>'}),
        help_text="help",
    )
    email = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=0)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    site = forms.URLField(assume_scheme="https", required=False)
    agree = forms.BooleanField(required=False)
    story = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    upload = forms.FileField(required=False)
    document = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))
    lazy = forms.CharField(
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Search"), "disabled": False})
    )


DATA = {
    "name": 'Siti "Ani" <b>&',
    "email": "bad@",
    "count": "-1",
    "secret": "pa<ss",
    "key": mark_safe("k&1"),  # a value already safe is not escaped twice
    "day": dt.date(2026, 12, 1).isoformat(),
    "site": "x",
    "agree": "on",
    "story": "line 1\n<script>alert(1)</script>",
    "lazy": "",
}


@pytest.mark.parametrize("data", [None, DATA])
def test_every_plain_widget_is_written_as_django_writes_it(data):
    fast = Everything(data, renderer=FastRenderer())
    django = Everything(data, renderer=DjangoTemplates())
    for name in Everything.base_fields:
        assert str(fast[name]) == str(django[name]), name


def test_a_web_address_without_its_scheme_is_read_as_https():
    # (Django 6's default, chosen now: the forms no longer warn when they are defined)
    import core.forms
    import referrals.forms

    field = referrals.forms.ProviderForm.base_fields["webhook_url"]
    assert field.clean("mitra.example.go.id/silakso") == "https://mitra.example.go.id/silakso"
    website = core.forms.AgencyProfileForm.base_fields["website"]
    assert website.clean("dinsos.bangkatengahkab.go.id") == "https://dinsos.bangkatengahkab.go.id"
