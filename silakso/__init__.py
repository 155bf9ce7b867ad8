"""SILAKSO project package: settings, URL roots, the Celery app and shared bases."""

from .celery import app as celery_app

__all__ = ("celery_app",)
