"""`{% url %}` remembered per process (tenancy/templatetags/fast_url.py): the same URLs as
Django's tag, whatever the arguments, the script prefix or the URLconf."""

from __future__ import annotations

import pytest
from django.template import TemplateSyntaxError, engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from tenancy.templatetags import fast_url


@pytest.fixture(autouse=True)
def _fresh():
    fast_url._urls.clear()
    yield
    fast_url._urls.clear()
    clear_script_prefix()


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_the_engine_uses_the_remembering_tag():
    template = engines["django"].from_string("{% url 'partnerships:list' org_slug='a' %}")
    nodes = template.template.nodelist.get_nodes_by_type(fast_url.CachedURLNode)
    assert len(nodes) == 1


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "{% url 'partnerships:list' org_slug=slug %}",
            reverse("partnerships:list", kwargs={"org_slug": "north"}),
        ),
        (
            "{% url 'partnerships:detail' org_slug=slug pk=pk %}",
            reverse("partnerships:detail", kwargs={"org_slug": "north", "pk": 7}),
        ),
        (
            "{% url 'partnerships:detail' slug pk %}",
            reverse("partnerships:detail", args=["north", 7]),
        ),
        ("{% url 'accounts:login' %}", reverse("accounts:login")),
    ],
)
def test_the_same_url_as_django_first_and_remembered(source, expected):
    assert render(source, slug="north", pk=7) == expected
    assert render(source, slug="north", pk=7) == expected
    assert expected in fast_url._urls.values()


def test_other_arguments_give_other_urls():
    source = "{% url 'partnerships:detail' org_slug=slug pk=pk %}"

    first = render(source, slug="north", pk=7)
    second = render(source, slug="north", pk=8)
    third = render(source, slug="south", pk=7)

    assert len({first, second, third}) == 3
    assert second == reverse("partnerships:detail", kwargs={"org_slug": "north", "pk": 8})


def test_as_var_and_a_missing_view():
    assert render("{% url 'no-such-view' as link %}[{{ link }}]") == "[]"
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-view' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'partnerships:detail' org_slug='north' pk='not-a-number' %}")


def test_a_malformed_tag_fails_as_djangos_does():
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% url %}")


def test_the_url_is_escaped_where_text_is_escaped():
    """A remembered URL is escaped at each use, as Django's tag does: `&` in a path segment
    is kept by reverse() and shown as `&amp;` in an autoescaped page, as is in `as` form."""
    token = "a&b<c"
    expected = reverse("accounts:invitation-accept", kwargs={"token": token})
    assert "&" in expected

    for _ in range(2):  # reversed, then remembered
        html = render("{% url 'accounts:invitation-accept' token=t %}", t=token)
        assert html == expected.replace("&", "&amp;")
        raw = render(
            "{% autoescape off %}{% url 'accounts:invitation-accept' token=t %}{% endautoescape %}",
            t=token,
        )
        assert raw == expected


def test_true_is_not_one():
    """True == 1 and they hash alike; reversed, they give different URLs, so neither is
    remembered for the other (booleans are reversed each time)."""
    assert not fast_url._plain(True)
    assert fast_url._plain(1) and fast_url._plain("1")


def test_objects_are_reversed_each_time():
    source = "{% url 'partnerships:list' org_slug=org %}"

    class Slug:
        def __init__(self, value):
            self.value = value

        def __str__(self):
            return self.value

    assert render(source, org=Slug("north")) == reverse(
        "partnerships:list", kwargs={"org_slug": "north"}
    )
    assert render(source, org=Slug("south")) == reverse(
        "partnerships:list", kwargs={"org_slug": "south"}
    )
    assert fast_url._urls == {}


def test_the_script_prefix_is_part_of_the_key():
    source = "{% url 'accounts:login' %}"
    plain = render(source)

    set_script_prefix("/switchboard/")
    prefixed = render(source)

    assert prefixed == "/switchboard" + plain
    clear_script_prefix()
    assert render(source) == plain


def test_another_urlconf_starts_afresh():
    source = "{% url 'partnerships:list' org_slug='north' %}"
    render(source)
    assert fast_url._urls

    with override_settings(ROOT_URLCONF="tests.tenancy.urls_without_partnerships"):
        assert fast_url._urls == {}
        with pytest.raises(NoReverseMatch):
            render(source)


def test_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(fast_url, "MAX_URLS", 3)
    source = "{% url 'partnerships:detail' org_slug='north' pk=pk %}"

    for pk in range(1, 8):
        assert render(source, pk=pk) == reverse(
            "partnerships:detail", kwargs={"org_slug": "north", "pk": pk}
        )
        assert len(fast_url._urls) <= 3


def test_an_int_and_its_text_are_remembered_apart():
    """Each reversed as given: a converter may write an int and a string differently."""
    source = "{% url 'partnerships:detail' org_slug='north' pk=pk %}"

    assert render(source, pk=7) == render(source, pk="7")
    assert len(fast_url._urls) == 2
