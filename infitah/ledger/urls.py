from django.urls import path

from infitah.ledger import views

app_name = "register"

urlpatterns = [
    path("", views.index, name="index"),
    path("verify/", views.verify, name="verify"),
]
