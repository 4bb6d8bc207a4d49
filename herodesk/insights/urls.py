from django.urls import path

from herodesk.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.hero_moments, name="hero_moments"),
    path("promises/", views.promises, name="promises"),
]
