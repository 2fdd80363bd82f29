"""What the culture services share: the partnership lock, percentages as the messages write
them, and the value a field will have once an update is written."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models

from partnerships.models import Partnership

HUNDRED = Decimal(100)


def lock_partnership(partnership: Partnership) -> Partnership:
    """Writes that check a total across sibling rows (shares of volume) lock the partnership,
    so that two concurrent writes cannot each pass the check and together exceed it."""
    return Partnership.objects.select_for_update().get(pk=partnership.pk)


def pct(value) -> str:
    return f"{Decimal(value).normalize():f}"


def incoming(instance: models.Model, fields: dict[str, Any], name: str) -> Any:
    """The value `name` will have once `model_update` writes `fields` (text stripped as it
    strips it), so that a rule spanning rows is checked before anything is written."""
    value = fields[name] if name in fields else getattr(instance, name)
    return value.strip() if isinstance(value, str) else value
