"""Routes of the moderators' side, mounted at /moderate/."""

from django.urls import path

from townhall.moderators import views

app_name = "moderators"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("queue/<str:queue>/", views.queue, name="queue"),
    path("flamewars/", views.flamewars, name="flamewars"),
    path("flamewars/<int:pk>/<str:action>/", views.flamewar_action, name="flamewar_action"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/explain/", views.comment_explain, name="comment_explain"),
    path("comments/<int:pk>/<str:action>/", views.comment_action, name="comment_action"),
    path("bulk/", views.bulk, name="bulk"),
    path("threads/<int:pk>/health/", views.thread_health, name="thread_health"),
    path("threads/<int:pk>/<str:action>/", views.thread_action, name="thread_action"),
    path("sites/", views.sites, name="sites"),
    path("sites/<slug:slug>/premoderate/", views.site_premoderate, name="site_premoderate"),
    path("sites/<slug:slug>/slow/", views.site_slow_mode, name="site_slow_mode"),
    path("sites/<slug:slug>/thresholds/", views.site_thresholds, name="site_thresholds"),
    path("sites/<slug:slug>/roles/", views.site_roles, name="site_roles"),
    path("sites/<slug:slug>/roles/<int:user_id>/remove/", views.site_role_remove, name="site_role_remove"),
    path("sites/<slug:slug>/sanctions/", views.site_sanctions, name="site_sanctions"),
    path("sites/<slug:slug>/comment-as-staff/", views.comment_as_staff, name="comment_as_staff"),
    path("sanctions/<int:pk>/<str:action>/", views.sanction_action, name="sanction_action"),
    path("audit/", views.audit, name="audit"),
]
