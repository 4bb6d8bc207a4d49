from django.urls import path

from herodesk.channels.webform import views

app_name = "webform"
urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("status/<str:token>/", views.status, name="status"),
    path("contact/confirm/<str:token>/", views.confirm_address, name="confirm"),
]
