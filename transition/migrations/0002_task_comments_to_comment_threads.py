"""Task comments become comment threads (`partnerships.Comment`), their data kept: a comment
that was not internal was shown to the client, so it is shared with the client."""

from django.db import migrations


def forwards(apps, schema_editor):
    TaskComment = apps.get_model("transition", "TaskComment")
    Comment = apps.get_model("partnerships", "Comment")
    for old in TaskComment.objects.order_by("pk").iterator(chunk_size=500):
        new = Comment.objects.create(
            organization_id=old.organization_id,
            partnership_id=old.partnership_id,
            target_type="transition.plantask",
            target_id=old.task_id,
            author_id=old.author_id,
            body=old.body,
            shared_with_client=not old.internal,
        )
        # created_at is set on insert; keep the comment's own times.
        Comment.objects.filter(pk=new.pk).update(
            created_at=old.created_at, updated_at=old.updated_at
        )


def backwards(apps, schema_editor):
    TaskComment = apps.get_model("transition", "TaskComment")
    Comment = apps.get_model("partnerships", "Comment")
    for new in Comment.objects.filter(target_type="transition.plantask").iterator():
        TaskComment.objects.create(
            organization_id=new.organization_id,
            partnership_id=new.partnership_id,
            task_id=new.target_id,
            author_id=new.author_id,
            body=new.body,
            internal=not new.shared_with_client,
        )
    Comment.objects.filter(target_type="transition.plantask").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transition", "0001_initial"),
        ("partnerships", "0003_comment"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="TaskComment"),
    ]
