from __future__ import annotations

from rest_framework import serializers

from tenancy.models import Membership, Role


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    client = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "user_id", "email", "full_name", "role", "client", "created_at"]

    def get_client(self, membership) -> dict | None:
        if membership.client_id is None:
            return None
        return {"id": membership.client_id, "name": membership.client.name}


class MeMembershipSerializer(serializers.Serializer):
    organization = serializers.SerializerMethodField()
    role = serializers.ChoiceField(choices=Role.choices)
    client_id = serializers.IntegerField(allow_null=True)

    def get_organization(self, membership) -> dict:
        org = membership.organization
        return {"slug": org.slug, "name": org.name}


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    memberships = MeMembershipSerializer(many=True)
