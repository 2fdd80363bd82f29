"""Which objects can carry a comment thread: a registry the domain apps fill from their
`AppConfig.ready()`, so that partnerships (a lower layer) never imports them.

A commentable model is partnership-owned; its label (`app_label.modelname`, e.g.
`transition.plantask`) is what a `Comment` stores as `target_type`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models.signals import post_delete

from tenancy.errors import ApplicationError


@dataclass(frozen=True)
class Commentable:
    model: type[models.Model]
    noun: str  # "task", "call-flow version": how a person names one


_REGISTRY: dict[str, Commentable] = {}


def register_commentable(model: type[models.Model], *, noun: str) -> None:
    if "partnership" not in {field.name for field in model._meta.get_fields()}:
        raise ValueError(f"{model.__name__} does not belong to a partnership.")
    label = model._meta.label_lower
    _REGISTRY[label] = Commentable(model=model, noun=noun)
    # A comment names its object by label and id, not by a foreign key: what a foreign key's
    # cascade would do, this does, so that no comment outlives its object (cascades included).
    post_delete.connect(_delete_thread, sender=model, dispatch_uid=f"comments-of-{label}")


def _delete_thread(sender, instance, **kwargs) -> None:
    from partnerships.models import Comment

    Comment.objects.filter(
        organization_id=instance.organization_id,
        target_type=sender._meta.label_lower,
        target_id=instance.pk,
    ).delete()


def target_type_of(obj: models.Model) -> str:
    label = obj._meta.label_lower
    if label not in _REGISTRY:
        raise ValueError(f"{type(obj).__name__} is not commentable; register it first.")
    return label


def commentable(target_type: str) -> Commentable:
    """The registered model of `target_type`, or a 400 naming the field."""
    try:
        return _REGISTRY[target_type]
    except (KeyError, TypeError):
        raise ApplicationError(
            "Comments cannot be attached to that kind of object.", field="target_type"
        ) from None


def target_types() -> list[str]:
    return sorted(_REGISTRY)
