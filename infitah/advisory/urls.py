"""Public pages of advisory bodies, under /<lang>/c/<slug>/advisory/."""

from django.urls import URLPattern, URLResolver, path

from infitah.advisory import views

app_name = "advisory"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("bodies/<int:pk>/", views.body, name="body"),
    path("bodies/<int:pk>/documents/<int:doc>/", views.document_file, name="document"),
    path("referrals/<int:pk>/", views.referral, name="referral"),
]
