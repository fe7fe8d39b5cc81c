"""Public pages of collective-intelligence labs, under /<lang>/c/<slug>/labs/."""

from django.urls import path

from infitah.participation.labs import views

app_name = "labs"
urlpatterns = [
    path("c/<slug:slug>/labs/", views.lab_list, name="list"),
    path("c/<slug:slug>/labs/<int:pk>/", views.lab_detail, name="detail"),
    path("c/<slug:slug>/labs/<int:pk>/vote/", views.vote, name="vote"),
    path("c/<slug:slug>/labs/<int:pk>/statements/", views.statement_add, name="statement-add"),
    path("c/<slug:slug>/labs/<int:pk>/report/", views.report, name="report"),
    path("c/<slug:slug>/labs/<int:pk>/<str:name>", views.export, name="export"),
]
