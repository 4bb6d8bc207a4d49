from django.urls import path

from herodesk.channels.phone import views

app_name = "phone"
urlpatterns = [
    path("calls/new/", views.new_call, name="new_call"),
]
