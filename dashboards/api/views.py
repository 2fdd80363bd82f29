"""`portfolio/`: the account manager's portfolio as JSON, the page's twin (provider members;
to a client executive the route does not exist). The rows are plain values from
`dashboards.selectors.portfolio`, in the same order and with the same filters as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers

from dashboards import selectors
from partnerships.models import Partnership
from tenancy.api import OrgScopedViewSet, SingletonSchema
from tenancy.rest import NOT_FOUND

BANDS = ["red", "amber", "green", "no_data", "unchecked"]


class PortfolioRowSerializer(serializers.Serializer):
    """The schema of one row (the view returns the selector's values as they are)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    client = inline_serializer(
        "PortfolioClient", {"id": serializers.IntegerField(), "name": serializers.CharField()}
    )
    status = serializers.CharField()
    account_manager = serializers.IntegerField(allow_null=True)
    planned_go_live = serializers.DateField(allow_null=True)
    actual_go_live = serializers.DateField(allow_null=True)
    health = inline_serializer(
        "PortfolioHealth",
        {
            "score": serializers.FloatField(allow_null=True),
            "band": serializers.CharField(),
            "trend": serializers.CharField(),
            "checked_period": serializers.DateTimeField(),
        },
        allow_null=True,
    )
    daily_scores = serializers.ListField(child=serializers.FloatField())
    next_milestone = inline_serializer(
        "PortfolioMilestone",
        {
            "id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "due": serializers.DateField(),
            "baseline_due": serializers.DateField(allow_null=True),
            "slip_days": serializers.IntegerField(allow_null=True),
        },
        allow_null=True,
    )
    percent_done = serializers.IntegerField(allow_null=True)
    overdue_tasks = serializers.IntegerField()
    open_issues = inline_serializer(
        "PortfolioIssues",
        {name: serializers.IntegerField() for name in ("critical", "high", "medium", "low")}
        | {"breached": serializers.IntegerField()},
    )
    last_touchpoint = serializers.DateField(allow_null=True)
    days_since_touchpoint = serializers.IntegerField(allow_null=True)
    overdue_follow_ups = serializers.IntegerField()
    days_since_data = serializers.IntegerField(allow_null=True)
    stale_data = serializers.BooleanField()
    open_alerts = serializers.IntegerField()
    needs_attention = serializers.ListField(child=serializers.CharField())


class PortfolioSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    needs_attention = serializers.IntegerField()
    bands = serializers.DictField(child=serializers.IntegerField())
    sla_breaches = serializers.IntegerField()
    stale_feeds = serializers.IntegerField()
    open_alerts = serializers.IntegerField()
    results = PortfolioRowSerializer(many=True)


class PortfolioViewSet(OrgScopedViewSet):
    queryset = Partnership.objects.all()
    schema = SingletonSchema()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=["dashboards"],
        parameters=[
            OpenApiParameter(
                "manager",
                OpenApiTypes.STR,
                description="`all` for every partnership you see, or an account manager's "
                "user id; by default your own (an admin's: the organization's).",
            ),
            OpenApiParameter("band", OpenApiTypes.STR, enum=BANDS),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=[str(s) for s in selectors.PORTFOLIO_STATUSES]
            ),
            OpenApiParameter("client", OpenApiTypes.INT),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.PORTFOLIO_SORTS)),
        ],
        responses=PortfolioSerializer,
    )
    def list(self, request, *args, **kwargs):
        if not self.membership.is_provider:
            raise exceptions.NotFound(NOT_FOUND)
        query = request.query_params
        errors = {}
        band = query.get("band", "")
        if band and band not in BANDS:
            errors["band"] = [f"Choose one of: {', '.join(BANDS)}."]
        status = query.get("status", "")
        if status and status not in selectors.PORTFOLIO_STATUSES:
            errors["status"] = [f"Choose one of: {', '.join(selectors.PORTFOLIO_STATUSES)}."]
        client = query.get("client", "")
        if client and selectors.id_of(client) is None:
            errors["client"] = ["A client id (a whole number)."]
        sort = query.get("sort", "") or "attention"
        if sort not in selectors.PORTFOLIO_SORTS:
            errors["sort"] = [f"Choose one of: {', '.join(selectors.PORTFOLIO_SORTS)}."]
        manager = query.get("manager", "")
        if manager and manager != "all" and selectors.id_of(manager) is None:
            errors["manager"] = ["`all` or a user id (a whole number)."]
        if errors:
            raise exceptions.ValidationError(errors)
        # The portfolio as of the last write, within the minute (tenancy/generation.py).
        return self.remembered(
            ("dashboards.portfolio-api", manager, band, status, client, sort),
            lambda: self._body(manager=manager, band=band, status=status, client=client, sort=sort),
        )

    def _body(self, **filters) -> dict:
        data = selectors.portfolio(membership=self.membership, **filters)
        return {
            "count": len(data.rows),
            "needs_attention": data.attention,
            "bands": data.bands,
            "sla_breaches": data.breached,
            "stale_feeds": data.stale,
            "open_alerts": data.open_alerts,
            "results": [row.as_dict() for row in data.rows],
        }
