from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.serializers import MemberSerializer, MeSerializer
from accounts.backends import loaded_memberships
from tenancy.api import OrgScopedViewSet
from tenancy.models import Membership


@extend_schema(tags=["members"])
class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Members of the organization that the caller may see (read only)."""

    queryset = Membership.objects.select_related("user", "client")
    serializer_class = MemberSerializer
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__full_name"]
    ordering_fields = ["user__full_name", "user__email", "role", "created_at"]
    ordering = ["user__full_name", "user__email"]


@extend_schema(tags=["me"])
class MeView(APIView):
    """The signed-in user and the organizations they belong to.

    With a token, only the token's organization is listed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = loaded_memberships(user)
        if memberships is None:  # a token's user: read them now
            memberships = list(
                Membership.objects.filter(user=user)
                .select_related("organization")
                .order_by("organization__name", "organization_id")
            )
        token = getattr(request, "auth", None)
        if token is not None and hasattr(token, "organization_id"):
            memberships = [m for m in memberships if m.organization_id == token.organization_id]
        data = {
            "id": user.pk,
            "email": user.email,
            "full_name": user.full_name,
            "memberships": memberships,
        }
        return Response(MeSerializer(data).data)
