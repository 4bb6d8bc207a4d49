from django.urls import path
app_name='conversations'
urlpatterns=[]
