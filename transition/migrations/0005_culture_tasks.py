# Written by hand: tasks generated from a partnership's culture adaptations.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("transition", "0004_people_access"),
    ]

    operations = [
        migrations.AddField(
            model_name="plantask",
            name="culture_adaptation_id",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="plantask",
            name="culture_sync_flag",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="Why the culture sync kept this task although its adaptation is gone.",
                max_length=300,
            ),
        ),
        migrations.AddConstraint(
            model_name="plantask",
            constraint=models.UniqueConstraint(
                condition=models.Q(("culture_adaptation_id__isnull", False)),
                fields=("organization", "plan", "culture_adaptation_id"),
                name="plan_task_one_per_adaptation",
            ),
        ),
    ]
