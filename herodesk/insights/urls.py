from django.urls import path

from herodesk.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.hero_moments, name="hero_moments"),
    path("promises/", views.promises, name="promises"),
    path("reasons/", views.contact_reasons, name="reasons"),
    path("reasons/new/", views.create_contact_reason, name="create_reason"),
    path("reasons/retrain/", views.retrain_contact_reasons, name="retrain_reasons"),
]
