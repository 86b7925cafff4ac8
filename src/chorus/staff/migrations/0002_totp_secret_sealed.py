"""TOTP secrets sealed at rest under the server's secret key (chorus.core.atrest).

Existing secrets are sealed on the way forward and opened on the way back, so no staff member
has to enrol again either way.
"""

from typing import Any

from django.db import migrations, models

from chorus.core.atrest import text_open, text_seal

PURPOSE = "totp-secret"  # chorus.crypto.suites.PURPOSE_TOTP_SECRET, frozen here


def _scope(user_id: int) -> str:
    return f"chorus/staff/v1/{user_id}"  # chorus.staff.selectors.totp_scope, frozen here


def seal_secrets(apps: Any, schema_editor: Any) -> None:
    staff_member = apps.get_model("staff", "StaffMember")
    for staff in staff_member.objects.exclude(totp_secret="").only("pk", "user_id", "totp_secret"):
        staff.totp_secret_sealed = text_seal(
            plaintext=staff.totp_secret, purpose=PURPOSE, scope=_scope(staff.user_id)
        )
        staff.save(update_fields=["totp_secret_sealed"])


def open_secrets(apps: Any, schema_editor: Any) -> None:
    staff_member = apps.get_model("staff", "StaffMember")
    for staff in staff_member.objects.exclude(totp_secret_sealed="").only(
        "pk", "user_id", "totp_secret_sealed"
    ):
        staff.totp_secret = text_open(
            sealed=staff.totp_secret_sealed, purpose=PURPOSE, scope=_scope(staff.user_id)
        )
        staff.save(update_fields=["totp_secret"])


class Migration(migrations.Migration):
    dependencies = [("staff", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="totp_secret_sealed",
            field=models.CharField(blank=True, max_length=128),
        ),
        migrations.RunPython(seal_secrets, open_secrets),
        migrations.RemoveField(model_name="staffmember", name="totp_secret"),
    ]
