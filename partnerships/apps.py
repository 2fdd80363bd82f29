from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self) -> None:
        from accounts.signals import member_leaving
        from partnerships import access, gates

        access.register_scopes()
        gates.register_gates()
        member_leaving.connect(_member_leaving, dispatch_uid="partnerships.member_leaving")


def _member_leaving(sender, *, membership, **kwargs) -> None:
    from partnerships.services import partnerships_release_member

    partnerships_release_member(membership=membership)
