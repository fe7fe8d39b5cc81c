"""Create the register's single head row (pk 1), which every append locks."""

from django.db import migrations


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    RegisterHead = apps.get_model("ledger", "RegisterHead")
    RegisterHead.objects.get_or_create(pk=1, defaults={"tree_size": 0, "frontier": b""})


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("ledger", "RegisterHead").objects.filter(pk=1, tree_size=0).delete()


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_register")]
    operations = [migrations.RunPython(forward, backward)]
