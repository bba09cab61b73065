from django.urls import path

from townhall.demo import views

urlpatterns = [
    path("", views.demo_page, name="demo"),
]
