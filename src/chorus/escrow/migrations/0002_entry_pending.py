from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("escrow", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="pending",
            field=models.BooleanField(default=True),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                condition=models.Q(("pending", True)), fields=["id"], name="escrow_entry_pending"
            ),
        ),
    ]
