from django.urls import path

from herodesk.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/merge/", views.merge, name="merge"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
