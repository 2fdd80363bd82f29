"""`{% url %}` with the reversed URL remembered per process (a builtin of the Django template
engine, `config.settings.base.TEMPLATES`, so it stands in for Django's tag on every page).

A page reverses the same few dozen names on every request (the navigation, the partnership's
tabs, its forms): the plan page's 32 `{% url %}` tags were a quarter of its Django-template
time. A URL depends only on its name, its arguments, the current app, the URLconf and the
script prefix, so those are the key. Only str and int arguments are remembered (a model
instance or a lazy string is reversed each time, as before), and the memory is bounded.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

MAX_URLS = 4096
_urls: dict[tuple, str] = {}


def _plain(value) -> bool:
    # bool is an int, and True == 1: a key must not confuse them.
    return isinstance(value, (str, int)) and not isinstance(value, bool)


def cached_reverse(view_name, args, kwargs, current_app) -> str:
    """`reverse()`, remembered when every argument is a str or an int."""
    if not (
        isinstance(view_name, str)
        and all(_plain(a) for a in args)
        and all(_plain(v) for v in kwargs.values())
    ):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        view_name,
        # The values as given, not as text: a path converter's `to_url` may tell 1 from "1".
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    found = _urls.get(key)
    if found is None:
        found = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        if len(_urls) >= MAX_URLS:
            _urls.clear()
        _urls[key] = found
    return found


@receiver(setting_changed, dispatch_uid="tenancy.fast_url.forget")
def forget(*, setting, **kwargs):
    """A test that swaps the URLconf or the script prefix starts afresh."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _urls.clear()


class CachedURLNode(URLNode):
    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (same syntax, same errors), reversed once per distinct URL."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
