from django.db import migrations

from tenancy.appendonly import append_only


class Migration(migrations.Migration):
    dependencies = [("tenancy", "0003_background_jobs")]

    operations = [append_only("tenancy_auditevent")]
