from django.db import migrations

from tenancy.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [
        ("transition", "0006_drop_shared_with_client"),
        ("tenancy", "0004_audit_append_only"),
    ]

    # Erasing a staff record empties the log's link to it (SET_NULL); the name stays.
    operations = [append_only("transition_sensitiveaccesslog", may_empty=("staff_member_id",))]
