"""`{% comment_thread obj %}`: the comment thread of a discovery or transition object, drawn
inside the page that shows the object (readable without JavaScript; htmx refreshes it)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("partnerships/_comment_thread.html", takes_context=True)
def comment_thread(context, target):
    from partnerships.views import comment_thread_context

    request = context["request"]
    return {
        **comment_thread_context(
            membership=context["membership"],
            partnership=context["partnership"],
            target=target,
            next_url=request.get_full_path(),
        ),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def comment_thread_url(context, target):
    """The page of `target`'s comment thread, coming back to this page afterwards."""
    from urllib.parse import urlencode

    from partnerships.views import thread_url_for

    url = thread_url_for(context["organization"], context["partnership"], target)
    return f"{url}&{urlencode({'next': context['request'].get_full_path()})}"
