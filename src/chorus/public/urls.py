from django.urls import path

from chorus.public import accounts, escrow, keys, orgs, views
from chorus.public import cases as case_pages
from chorus.public import records as records_views
from chorus.public import reports as reports_views
from chorus.public import support as support_views
from chorus.public import together as together_views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("add", views.add, name="add"),
    path("thanks", views.thanks, name="thanks"),
    path("help", views.help_page, name="help"),
    path("numbers", views.numbers, name="numbers"),
    path("data", views.data_index, name="data"),
    path("data/snapshots/<int:snapshot_id>.csv", views.snapshot_csv, name="snapshot_csv"),
    path("data/snapshots/<int:snapshot_id>.json", views.snapshot_json, name="snapshot_json"),
    path("badge.svg", views.badge, name="badge"),
    path("pow/challenge", views.challenge, name="challenge"),
    path("account", accounts.account_home, name="account_home"),
    path("account/new", accounts.account_new, name="account_new"),
    path("account/signin", accounts.account_signin, name="account_signin"),
    path("account/recover", accounts.account_recover, name="account_recover"),
    path("account/recover/check", accounts.account_recover_check, name="account_recover_check"),
    path("account/signout", accounts.account_signout, name="account_signout"),
    path("escrow/oprf", keys.oprf_evaluate, name="escrow_oprf"),
    path("escrow", escrow.escrow_home, name="escrow"),
    path("escrow/new", escrow.escrow_new, name="escrow_new"),
    path("escrow/entries", escrow.escrow_entries, name="escrow_entries"),
    path("escrow/<int:entry_id>/withdraw", escrow.escrow_withdraw, name="escrow_withdraw"),
    path("records", records_views.records_home, name="records"),
    path("records/new", records_views.record_new, name="record_new"),
    path("records/envelopes", records_views.records_save, name="records_save"),
    path("records/<int:record_id>", records_views.record_open, name="record_open"),
    path("records/<int:record_id>/edit", records_views.record_edit, name="record_edit"),
    path("records/<int:record_id>/envelope", records_views.record_envelope, name="record_envelope"),
    path("records/<int:record_id>/delete", records_views.record_delete, name="record_delete"),
    path("reports", reports_views.reports_send, name="reports_send"),
    path("reports/cases", reports_views.reports_cases, name="reports_cases"),
    path("reports/cases/<str:ref>", reports_views.report_case, name="report_case"),
    path(
        "reports/cases/<str:ref>/messages",
        reports_views.report_case_messages,
        name="report_case_messages",
    ),
    path("orgs/<slug:slug>/keys", orgs.org_keys, name="org_keys"),
    path("reports/new", case_pages.report_new, name="report_new"),
    path("cases", case_pages.cases_home, name="cases"),
    path("cases/<str:ref>", case_pages.case_page, name="case"),
    path("reports/together", together_views.together_dispatch, name="together"),
    path("reports/together/new", together_views.together_new, name="together_new"),
    path(
        "reports/together/<str:ref>/withdraw",
        together_views.together_withdraw,
        name="together_withdraw",
    ),
    path(
        "reports/cases/<str:ref>/supporters",
        support_views.supporters_invite,
        name="supporters_invite",
    ),
    path(
        "reports/cases/<str:ref>/supporters/<int:supporter_id>",
        support_views.supporter_change,
        name="supporter_change",
    ),
    path("support/<str:invite>", support_views.invite_page, name="support"),
    path("support/<str:invite>/invite", support_views.invite_read, name="support_invite"),
    path("support/<str:invite>/accept", support_views.invite_accept, name="support_accept"),
]
