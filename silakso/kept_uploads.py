"""Files a person chose survive a form that comes back with a mistake elsewhere.

A resident who photographed three documents and mistyped a phone number must not choose the
photos again. When a form is drawn again after a failed submit, each file field whose file had
no problem of its own stores the file under ``kept/`` and carries a signed token in a hidden
input; the next submit without a new file takes the kept one. The token is signed (a path
cannot be forged), expires after a day, and the retention job deletes what was never sent.
"""

import datetime as dt
import uuid

from django import forms
from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.html import format_html
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

STASH = "kept"
MAX_AGE = dt.timedelta(days=1)
_SALT = "silakso-kept-upload"


def keep(upload: UploadedFile) -> str:
    """Store ``upload`` for the next submit; the token that brings it back."""
    name = get_valid_filename(upload.name or "file")[-80:] or "file"
    upload.seek(0)
    path = default_storage.save("{}/{}/{}".format(STASH, uuid.uuid4().hex, name), upload)
    upload.seek(0)
    return signing.dumps(
        {"path": path, "name": upload.name, "type": upload.content_type or ""}, salt=_SALT
    )


def restore(token: str | None) -> UploadedFile | None:
    """The file a token kept, or None (no token, a forged or expired one, a removed file)."""
    if not token:
        return None
    try:
        kept = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
        path = str(kept["path"])
        if not path.startswith(STASH + "/") or ".." in path:
            return None
        with default_storage.open(path, "rb") as stored:
            content = stored.read()
    except (signing.BadSignature, KeyError, TypeError, OSError):
        return None
    upload = SimpleUploadedFile(str(kept.get("name") or "file"), content, kept.get("type") or "")
    upload.kept_token = token  # type: ignore[attr-defined]
    return upload


class KeptFileInput(forms.ClearableFileInput):
    """A file input that keeps a valid chosen file across a failed submit (see module)."""

    def value_from_datadict(self, data, files, name):
        chosen = super().value_from_datadict(data, files, name)
        if chosen:
            return chosen
        return restore(data.get(name + "__kept")) or chosen

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        token = ""
        # a file with a problem of its own (too big, not a photo) is chosen again
        if isinstance(value, UploadedFile) and not attrs.get("aria-invalid"):
            token = getattr(value, "kept_token", "") or keep(value)
        if not token:
            return super().render(name, None, attrs, renderer)
        attrs.pop("required", None)  # the kept file answers for it
        return format_html(
            '{}<input type="hidden" name="{}__kept" value="{}"><p class="help kept">{}</p>',
            super().render(name, None, attrs, renderer),
            name,
            token,
            _("Kept: {name}. Choose a file only to replace it.").format(name=value.name),
        )


def remove_unsent(before: dt.datetime, *, dry_run: bool = False) -> int:
    """Delete kept files older than ``before`` (their forms were never sent again)."""
    if not default_storage.exists(STASH):
        return 0
    removed = 0
    folders, _files = default_storage.listdir(STASH)
    for folder in folders:
        inner = "{}/{}".format(STASH, folder)
        _dirs, names = default_storage.listdir(inner)
        for name in names:
            path = "{}/{}".format(inner, name)
            if default_storage.get_modified_time(path) < before:
                removed += 1
                if not dry_run:
                    default_storage.delete(path)
    return removed


class KeptFileField(forms.FileField):
    """A file field whose chosen file is kept across a failed submit (``KeptFileInput``).
    Django draws a file input empty (``bound_data`` gives the initial value); this one hands
    the chosen file to its widget, which keeps it."""

    widget = KeptFileInput

    def bound_data(self, data, initial):
        return data if isinstance(data, UploadedFile) else initial
