from django.urls import path

from quality.api import views

urlpatterns = [
    path("quality/violations/", views.ViolationList.as_view(), name="violation-list"),
    path("quality/violations/<str:violation_id>/", views.ViolationDetail.as_view(),
         name="violation-detail"),
    path("quality/metrics/", views.MetricList.as_view(), name="metric-list"),
    path("quality/contracts/<str:contract_id>/trend/", views.ContractTrend.as_view(),
         name="contract-trend"),
    path("quality/results/", views.ResultCreate.as_view(), name="result-create"),
    path("quality/results/<str:tool>/", views.ToolResultCreate.as_view(),
         name="tool-result-create"),
    path("quality/checks/", views.CheckCreate.as_view(), name="check-create"),
]
