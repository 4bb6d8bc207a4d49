from django.urls import path

from herodesk.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("availability/", views.availability, name="availability"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("two-factor/recovery-codes/", views.two_factor_recovery, name="two_factor_recovery"),
]
