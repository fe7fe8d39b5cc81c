# Existing rows under the retry schedule. The old code retried a failed e-mail five
# times, a minute apart, then gave up on it silently:
# - a queued or failed e-mail is due at once, so the next `manage.py tick` tries it
#   (a queued one whose task is still waiting is then sent once: delivery is idempotent);
# - an e-mail that failed and is older than the retry window (two days, the default
#   schedule's span) becomes a dead letter: the network admin decides whether to re-send.

import datetime

from django.db import migrations
from django.utils import timezone

RETRY_WINDOW = datetime.timedelta(days=2)


def forwards(apps, schema_editor):
    OutboundEmail = apps.get_model('notifications', 'OutboundEmail')
    now = timezone.now()
    OutboundEmail.objects.filter(status='failed', created_at__lt=now - RETRY_WINDOW).update(
        status='dead', next_attempt_at=None
    )
    OutboundEmail.objects.filter(
        status__in=['queued', 'failed'], next_attempt_at__isnull=True
    ).update(next_attempt_at=now)


def backwards(apps, schema_editor):
    # The old code knows no dead letters: they are failed e-mails again.
    OutboundEmail = apps.get_model('notifications', 'OutboundEmail')
    OutboundEmail.objects.filter(status='dead').update(status='failed')


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0002_add_email_retry_schedule'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
