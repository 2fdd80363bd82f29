"""Task comments become comment threads (`partnerships.Comment`), their data kept: a comment
that was not internal was shown to the client, so it is shared with the client."""

from django.db import migrations


def forwards(apps, schema_editor):
    # The database migrate runs on (the owner's alias, tenancy/management/commands/migrate.py).
    db = schema_editor.connection.alias
    TaskComment = apps.get_model("transition", "TaskComment")
    Comment = apps.get_model("partnerships", "Comment")
    for old in TaskComment.objects.using(db).order_by("pk").iterator(chunk_size=500):
        new = Comment.objects.using(db).create(
            organization_id=old.organization_id,
            partnership_id=old.partnership_id,
            target_type="transition.plantask",
            target_id=old.task_id,
            author_id=old.author_id,
            body=old.body,
            shared_with_client=not old.internal,
        )
        # created_at is set on insert; keep the comment's own times.
        Comment.objects.using(db).filter(pk=new.pk).update(
            created_at=old.created_at, updated_at=old.updated_at
        )


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    TaskComment = apps.get_model("transition", "TaskComment")
    Comment = apps.get_model("partnerships", "Comment")
    for new in Comment.objects.using(db).filter(target_type="transition.plantask").iterator():
        TaskComment.objects.using(db).create(
            organization_id=new.organization_id,
            partnership_id=new.partnership_id,
            task_id=new.target_id,
            author_id=new.author_id,
            body=new.body,
            internal=not new.shared_with_client,
        )
    Comment.objects.using(db).filter(target_type="transition.plantask").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transition", "0001_initial"),
        ("partnerships", "0003_comment"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.DeleteModel(name="TaskComment"),
    ]
