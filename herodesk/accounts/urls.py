from django.urls import path

from herodesk.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("availability/", views.availability, name="availability"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
