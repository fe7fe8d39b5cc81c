# The e-mail retry schedule: when the next attempt is due, when the last one was made,
# and who re-sent a dead letter (schema only; 0003 fills the new column, 0004 checks it).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='outboundemail',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last attempt'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='next_attempt_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='next attempt'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='resent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='re-sent at'),
        ),
        migrations.AddField(
            model_name='outboundemail',
            name='resent_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='re-sent by'),
        ),
        migrations.AlterField(
            model_name='outboundemail',
            name='status',
            field=models.CharField(choices=[('queued', 'Queued'), ('sent', 'Sent'), ('failed', 'Failed'), ('dead', 'Undeliverable')], default='queued', max_length=16, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(condition=models.Q(('next_attempt_at__isnull', False)), fields=['next_attempt_at'], name='notif_email_due_idx'),
        ),
        migrations.AddIndex(
            model_name='outboundemail',
            index=models.Index(condition=models.Q(('status', 'dead')), fields=['-created_at', '-id'], name='notif_email_dead_idx'),
        ),
    ]
