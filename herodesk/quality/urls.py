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
    path("teams/<int:team_id>/coaching/", views.coaching, name="coaching"),
    path("coaching/<int:pk>/", views.coaching_plan, name="coaching_plan"),
    path("messages/<int:message_id>/kudos/", views.give_kudos, name="give_kudos"),
    path("teams/<int:team_id>/stories/", views.stories, name="stories"),
    path("teams/<int:team_id>/smiles/", views.smiles, name="smiles"),
    path("teams/<int:team_id>/practice/", views.practice_list, name="practice"),
    path("conversations/<int:conversation_id>/practice/", views.create_scenario, name="create_scenario"),
    path("practice/<int:pk>/", views.scenario, name="scenario"),
    path("practice/attempts/<int:pk>/", views.practice_attempt, name="practice_attempt"),
]
