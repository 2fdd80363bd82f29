"""The anchors of the HTTP benchmark: plain Django and plain DRF views served by the same
gunicorn, settings and middleware as Switchboard's endpoints (bench/http_urls.py mounts them
under /bench/; production never loads that URLconf).

- `bare`: a JSON response, no database.
- `one-query`: one partnership by primary key (`values("id", "name")`), as JSON.
- `template-500`: 500 partnerships as model instances (five fields, `.only()`), rendered
  into a `<table>` by Django's template engine, as a plain `ListView` would.
- `drf-500`: the same 500 rows through a DRF `ListAPIView` and a `ModelSerializer` of the
  same five fields, no pagination, `AllowAny` (the project's default authentication classes
  still run, as they do for any DRF view of the project), rendered by DRF's own
  `JSONRenderer` (plain DRF, not the project's orjson renderer).
"""

from __future__ import annotations

from pathlib import Path

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.template.response import TemplateResponse
from django.views.generic import ListView
from rest_framework import generics, permissions, serializers
from rest_framework.renderers import JSONRenderer

from partnerships.models import Partnership

FIELDS = ("id", "name", "status", "contract_start", "updated_at")
ROWS = 500

# Compiled once, as Django's cached template loader (DEBUG off) keeps a page's template.
TEMPLATE = engines["django"].from_string(
    (Path(__file__).resolve().parent / "templates" / "bench" / "template_500.html").read_text()
)


def rows(organization_id: int):
    """The organization's first 500 partnerships by name (the unique index on organization
    and name serves the filter and the order)."""
    return (
        Partnership.objects.filter(organization_id=organization_id)
        .only(*FIELDS)
        .order_by("name")[:ROWS]
    )


def bare(request):
    return JsonResponse({"ok": True})


def one_query(request, pk: int):
    return JsonResponse(get_object_or_404(Partnership.objects.values("id", "name"), pk=pk))


class Template500View(ListView):
    def get_queryset(self):
        return rows(self.kwargs["organization_id"])

    def render_to_response(self, context, **response_kwargs):
        return TemplateResponse(self.request, TEMPLATE, context, **response_kwargs)


class PartnershipRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partnership
        fields = FIELDS


class Drf500View(generics.ListAPIView):
    serializer_class = PartnershipRowSerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    renderer_classes = [JSONRenderer]

    def get_queryset(self):
        return rows(self.kwargs["organization_id"])
