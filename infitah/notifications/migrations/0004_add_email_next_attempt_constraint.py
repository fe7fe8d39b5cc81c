# A pending (queued or failed) e-mail always has a next attempt; a sent or dead one never.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_backfill_email_next_attempt'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='outboundemail',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('next_attempt_at__isnull', False), ('status__in', ['queued', 'failed'])), models.Q(('next_attempt_at__isnull', True), ('status__in', ['sent', 'dead'])), _connector='OR'), name='notif_email_next_attempt_iff_pending'),
        ),
    ]
