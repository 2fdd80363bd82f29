"""Organization pages of the accounts app, under /o/<org_slug>/: members and API tokens."""

from django.urls import path

from accounts import views

app_name = "org"
urlpatterns = [
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member-remove"),
    path(
        "members/<int:pk>/two-factor-reset/",
        views.MemberTwoFactorResetView.as_view(),
        name="member-two-factor-reset",
    ),
    path(
        "members/two-factor/", views.TwoFactorRequirementView.as_view(), name="two-factor-required"
    ),
    path(
        "invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path(
        "invitations/<int:pk>/resend/",
        views.InvitationResendView.as_view(),
        name="invitation-resend",
    ),
    path("tokens/", views.TokensView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token-revoke"),
]
