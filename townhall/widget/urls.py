from django.urls import path

from townhall.widget import views

urlpatterns = [
    path("embed/thread", views.thread_noscript, name="widget-thread"),
    path("embed/comments/<int:comment_id>", views.replies_noscript, name="widget-replies"),
]
