"""Abstract bases shared by every app."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Creation and last-change timestamps, set by the database layer, never by hand."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class StatusChange(models.Model):
    """One row per state transition of a flow: who moved it, from where to where, and why.

    Each flow has its own concrete subclass with a foreign key to the object it follows; the
    rows are the object's history and what the resident's status page is built from.
    """

    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        "core.User",
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    #: The flow's TextChoices (set by each subclass), for the labels histories show.
    statuses = None

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    @property
    def to_status_label(self) -> str:
        """The step's status in words ("Sent, waiting for the provider"), not its code."""
        if self.statuses is not None and self.to_status in self.statuses.values:
            return self.statuses(self.to_status).label
        return self.to_status
