from django.urls import path

from tanpuhui.funding import api, views

api_patterns = [
    path("staff/pools", api.PoolListApi.as_view(), name="staff-pools"),
    path("staff/pools/report", api.PoolReportApi.as_view(), name="staff-pool-report"),
    path("staff/pools/rollup", api.PoolRollupApi.as_view(), name="staff-pool-rollup"),
    path(
        "staff/pools/<int:pk>/appropriations",
        api.PoolAppropriationApi.as_view(),
        name="staff-pool-appropriations",
    ),
    path("staff/campaigns", api.StaffCampaignListApi.as_view(), name="staff-campaigns"),
    path("staff/campaigns/preview", api.CampaignPreviewApi.as_view(), name="staff-campaign-preview"),
    path("staff/crowdfunding", api.StaffCrowdfundingListApi.as_view(), name="staff-crowdfunding"),
    path("staff/causes", api.StaffCauseListApi.as_view(), name="staff-causes"),
    path("staff/causes/<uuid:pk>/updates", api.StaffCauseUpdateApi.as_view(), name="staff-cause-updates"),
    path("campaigns", api.CampaignListApi.as_view(), name="campaigns"),
    path("crowdfunding", api.CrowdfundingListApi.as_view(), name="crowdfunding"),
    path("crowdfunding/<uuid:pk>", api.CrowdfundingDetailApi.as_view(), name="crowdfunding-detail"),
    path("crowdfunding/<uuid:pk>/pledges", api.PledgeApi.as_view(), name="crowdfunding-pledge"),
    path("causes", api.CauseListApi.as_view(), name="causes"),
    path("causes/<uuid:pk>/donations", api.CauseDonateApi.as_view(), name="cause-donate"),
]
web_patterns = [
    path("crowdfunding/", views.crowdfunding_list, name="crowdfunding"),
    path("crowdfunding/<uuid:pk>/", views.crowdfunding_page, name="crowdfunding-detail"),
    path("crowdfunding/<uuid:pk>/progress", views.crowdfunding_progress, name="crowdfunding-progress"),
    path("crowdfunding/<uuid:pk>/pledge", views.crowdfunding_pledge, name="crowdfunding-pledge"),
    path("causes/", views.causes, name="causes"),
    path("causes/<uuid:pk>/donate", views.cause_donate, name="cause-donate"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("staff/funding/", views.pool_report_page, name="staff-funding"),
]
