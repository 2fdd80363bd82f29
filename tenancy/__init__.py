"""Shared tenant machinery: the tenant base model and queryset, the application error,
and the scoped base view and viewset that every app builds on."""
