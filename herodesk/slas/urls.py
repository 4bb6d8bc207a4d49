from django.urls import path

from herodesk.slas import views

app_name = "slas"
urlpatterns = [
    path("", views.report, name="report"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:pk>/", views.edit_policy, name="edit_policy"),
    path("policies/<int:pk>/delete/", views.delete_policy, name="delete_policy"),
]
