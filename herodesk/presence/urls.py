from django.urls import path

from herodesk.presence import views

app_name = "presence"
urlpatterns = [
    path("c/<int:pk>/", views.poll, name="poll"),
    path("c/<int:pk>/leave/", views.leave, name="leave"),
    path("inbox/", views.inbox, name="inbox"),
]
