"""Staff pages of surveys, under /<lang>/staff/<slug>/surveys/ (Perm.PARTICIPATION_MANAGE)."""

from django.urls import path

from infitah.participation.surveys import views

app_name = "surveys-staff"
urlpatterns = [
    path("", views.staff_list, name="list"),
    path("new/", views.staff_create, name="create"),
    path("<int:pk>/", views.staff_edit, name="edit"),
    path("<int:pk>/questions/", views.staff_question_save, name="question-create"),
    path("<int:pk>/questions/<int:qid>/", views.staff_question_save, name="question-edit"),
    path(
        "<int:pk>/questions/<int:qid>/delete/",
        views.staff_question_delete,
        name="question-delete",
    ),
    path("<int:pk>/publish/", views.staff_publish, name="publish"),
    path("<int:pk>/unpublish/", views.staff_unpublish, name="unpublish"),
    path("<int:pk>/results/", views.staff_results, name="results"),
    path("<int:pk>/results.csv", views.staff_results_csv, name="results-csv"),
    path("<int:pk>/responses.csv", views.staff_responses_csv, name="responses-csv"),
    path("<int:pk>/breakdown.csv", views.staff_breakdown_csv, name="breakdown-csv"),
]
