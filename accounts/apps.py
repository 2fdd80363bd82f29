from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts import access, sessions  # noqa: F401 (connects the sign-in stamp)

        access.register_scopes()
