from django.urls import path

from herodesk.slas import views

app_name = "slas"
urlpatterns = [
    path("", views.report, name="report"),
    path("policies/", views.policies, name="policies"),
    path("policies/<int:pk>/", views.edit_policy, name="edit_policy"),
    path("policies/<int:pk>/delete/", views.delete_policy, name="delete_policy"),
    path("c/<int:pk>/schedule/", views.schedule_reply, name="schedule"),
    path("c/<int:pk>/scheduled/<int:item>/", views.edit_scheduled, name="edit_scheduled"),
    path("c/<int:pk>/scheduled/<int:item>/cancel/", views.cancel_scheduled, name="cancel_scheduled"),
    path("c/<int:pk>/promises/<int:item>/kept/", views.promise_kept, name="promise_kept"),
    path(
        "c/<int:pk>/promises/<int:item>/renegotiate/", views.promise_renegotiate, name="promise_renegotiate"
    ),
    path("c/<int:pk>/promises/<int:item>/hand-over/", views.promise_hand_over, name="promise_hand_over"),
]
