from django.urls import path

from tenancy.api.jobs import JobDetail

urlpatterns = [
    path("jobs/<str:job_id>/", JobDetail.as_view(), name="job-detail"),
]
