"""The network administrator's page of undeliverable e-mails and SMS (under
/<lang>/network/mail/)."""

from django.urls import path

from infitah.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.dead_letter_list, name="dead-letter-list"),
    path("<int:pk>/resend/", views.dead_letter_resend, name="dead-letter-resend"),
    path("resend-all/", views.dead_letter_resend_all, name="dead-letter-resend-all"),
    path("sms/<int:pk>/resend/", views.dead_sms_resend, name="dead-sms-resend"),
    path("sms/resend-all/", views.dead_sms_resend_all, name="dead-sms-resend-all"),
]
