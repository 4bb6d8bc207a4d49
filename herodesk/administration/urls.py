from django.urls import path

from herodesk.administration.views import agents, overview, security, teams, vocabulary

app_name = "administration"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("agents/", agents.agent_list, name="agents"),
    path("agents/invite/", agents.invite, name="invite"),
    path("agents/<int:pk>/", agents.agent_detail, name="agent"),
    path("agents/<int:pk>/teams/", agents.set_teams, name="agent_teams"),
    path("agents/<int:pk>/role/", agents.set_role, name="agent_role"),
    path("agents/<int:pk>/active/", agents.set_active, name="agent_active"),
    path("agents/<int:pk>/two-factor/reset/", security.reset_two_factor, name="agent_two_factor_reset"),
    path("security/", security.security, name="security"),
    path("teams/", teams.team_list, name="teams"),
    path("teams/new/", teams.team_new, name="team_new"),
    path("teams/<int:pk>/", teams.team_edit, name="team"),
    path("teams/<int:pk>/holidays/", teams.add_holiday, name="add_holiday"),
    path("teams/<int:pk>/holidays/<int:holiday_pk>/remove/", teams.remove_holiday, name="remove_holiday"),
    path("reasons/", vocabulary.reasons, name="reasons"),
    path("reasons/new/", vocabulary.reason_new, name="reason_new"),
    path("reasons/<int:pk>/rename/", vocabulary.reason_rename, name="reason_rename"),
    path("reasons/<int:pk>/active/", vocabulary.reason_active, name="reason_active"),
    path("reasons/<int:pk>/merge/", vocabulary.reason_merge, name="reason_merge"),
    path("tags/", vocabulary.tags, name="tags"),
    path("tags/<int:pk>/rename/", vocabulary.tag_rename, name="tag_rename"),
    path("tags/<int:pk>/merge/", vocabulary.tag_merge, name="tag_merge"),
    path("tags/<int:pk>/delete/", vocabulary.tag_delete, name="tag_delete"),
]
