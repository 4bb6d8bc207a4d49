from django.urls import path

from herodesk.macros import views

app_name = "macros"
urlpatterns = [
    path("", views.saved_reply_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("send/<int:conversation_pk>/", views.send, name="send"),
]
