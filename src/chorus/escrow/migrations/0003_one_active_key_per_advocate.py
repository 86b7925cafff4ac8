"""One active key per advocate, as a constraint (the service's check alone let two uploads at the
same moment both pass). An advocate who already has more than one keeps the oldest active; the
others are retired first (they still open the envelopes sealed to them)."""

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def retire_extra_keys(apps: Any, schema_editor: Any) -> None:
    advocate_key = apps.get_model("escrow", "AdvocateKey")
    seen: set[int] = set()
    for key in advocate_key.objects.filter(retired__isnull=True).order_by("advocate_id", "pk"):
        if key.advocate_id in seen:
            key.retired = timezone.now()
            key.save(update_fields=["retired"])
        seen.add(key.advocate_id)


class Migration(migrations.Migration):
    dependencies = [
        ("escrow", "0002_entry_pending"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(retire_extra_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="advocatekey",
            constraint=models.UniqueConstraint(
                condition=models.Q(("retired__isnull", True)),
                fields=("advocate",),
                name="escrow_one_active_key_per_advocate",
            ),
        ),
    ]
