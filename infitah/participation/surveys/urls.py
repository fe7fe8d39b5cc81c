"""Public pages of surveys: c/<slug>/surveys/…"""

from django.urls import path

from infitah.participation.surveys import views

app_name = "surveys"
urlpatterns = [
    path("c/<slug:slug>/surveys/", views.survey_list, name="list"),
    path("c/<slug:slug>/surveys/<int:pk>/", views.survey_detail, name="detail"),
    path("c/<slug:slug>/surveys/<int:pk>/respond/", views.survey_respond, name="respond"),
    path("c/<slug:slug>/surveys/<int:pk>/results/", views.survey_results, name="results"),
    path(
        "c/<slug:slug>/surveys/<int:pk>/results.csv",
        views.survey_results_csv,
        name="results-csv",
    ),
    path(
        "c/<slug:slug>/surveys/<int:pk>/breakdown.csv",
        views.survey_breakdown_csv,
        name="breakdown-csv",
    ),
]
