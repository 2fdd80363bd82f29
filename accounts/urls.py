"""Top-level account pages: sign-in and out, password reset, organization picker, invitations."""

from django.urls import path

from accounts import twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("orgs/", views.OrgPickerView.as_view(), name="org-picker"),
    path(
        "two-factor/verify/",
        twofactor_views.TwoFactorVerifyView.as_view(),
        name="two-factor-verify",
    ),
    path(
        "two-factor/setup/", twofactor_views.TwoFactorSetupView.as_view(), name="two-factor-setup"
    ),
    path("account/security/", twofactor_views.SecurityView.as_view(), name="security"),
    path(
        "invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"
    ),
]
