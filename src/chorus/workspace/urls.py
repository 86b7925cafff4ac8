from django.urls import URLPattern, URLResolver, include, path

from chorus.workspace import cases, operator, orgs, together, views
from chorus.workspace import inbox as inbox_pages

app_name = "workspace"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.matches, name="matches"),
    path("signin", views.signin, name="signin"),
    path("signin/code", views.signin_code, name="signin_code"),
    path("signout", views.signout, name="signout"),
    path("enrol/code", views.enrol_code, name="enrol_code"),
    path("enrol/<str:token>", views.enrol, name="enrol"),
    path("key", views.key, name="key"),
    path("matches/<int:match_id>", views.match, name="match"),
    path("matches/<int:match_id>/envelopes", views.match_envelopes, name="match_envelopes"),
    path("entries/<int:entry_id>/outreach", views.outreach, name="outreach"),
    path("operator/", include(operator.urlpatterns)),
    path("orgs/", include(orgs.urlpatterns)),
    path("orgs/", include(cases.urlpatterns)),
    path("orgs/", include(inbox_pages.urlpatterns)),
    path("orgs/", include(together.urlpatterns)),
]
