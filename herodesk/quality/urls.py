from django.urls import path

from herodesk.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("teams/<int:team_id>/rubric/", views.rubric, name="rubric"),
    path("teams/<int:team_id>/sample/", views.sample, name="sample"),
    path("teams/<int:team_id>/calibration/", views.calibrations, name="calibrations"),
    path("teams/<int:team_id>/autoqa/", views.autoqa, name="autoqa"),
    path("teams/<int:team_id>/scorecards/", views.scorecards, name="scorecards"),
    path("conversations/<int:conversation_id>/review/", views.start_review, name="start_review"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/comment/", views.pin_comment, name="pin_comment"),
    path("reviews/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("scores/<int:pk>/dispute/", views.dispute, name="dispute"),
    path("disputes/<int:pk>/resolve/", views.resolve_dispute, name="resolve_dispute"),
    path("calibration/<int:pk>/", views.calibration, name="calibration"),
]
