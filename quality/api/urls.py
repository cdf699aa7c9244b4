from django.urls import path

from contracts.models import DataContract, Domain, Owner, System
from quality.api import views
from quality.models import QualityMetric, QualityViolation
from tenancy.api.comments import CommentList

COMMENTABLE = {"contract": DataContract, "owner": Owner, "system": System, "domain": Domain,
               "violation": QualityViolation, "metric": QualityMetric}

urlpatterns = [
    path("quality/violations/", views.ViolationList.as_view(), name="violation-list"),
    path("quality/incidents/", views.IncidentList.as_view(), name="incident-list"),
    path("quality/incidents/triage/", views.IncidentTriage.as_view(), name="incident-triage"),
    path("quality/violations/<str:violation_id>/", views.ViolationDetail.as_view(),
         name="violation-detail"),
    path("quality/metrics/", views.MetricList.as_view(), name="metric-list"),
    path("quality/contracts/<str:contract_id>/trend/", views.ContractTrend.as_view(),
         name="contract-trend"),
    path("quality/results/", views.ResultCreate.as_view(), name="result-create"),
    path("quality/results/<str:tool>/", views.ToolResultCreate.as_view(),
         name="tool-result-create"),
    path("quality/checks/", views.CheckCreate.as_view(), name="check-create"),
    path("comments/", CommentList.as_view(object_types=COMMENTABLE), name="comment-list"),
]
