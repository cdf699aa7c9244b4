"""A job over HTTP: a pipeline whose request became a job (202 Accepted) follows it here."""

from django.urls import reverse
from rest_framework import generics, serializers
from rest_framework.response import Response

from tenancy.api.views import object_or_404
from tenancy.jobs import JOB_KINDS
from tenancy.models import Job


def job_api_url(job):
    return reverse("job-detail", args=[job.pk])


class JobResultSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="app_label.model of what the job wrote.")
    id = serializers.CharField()


class JobSerializer(serializers.ModelSerializer):
    """Where a job is and, once done, what it wrote."""

    kind_label = serializers.SerializerMethodField()
    percent = serializers.IntegerField(source="progress_percent", allow_null=True)
    result = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ("id", "kind", "kind_label", "state", "progress_done", "progress_total",
                  "percent", "error", "result_summary", "result", "result_url", "attempts",
                  "created_at", "started_at", "finished_at", "url")

    def get_kind_label(self, job) -> str:
        kind = JOB_KINDS.get(job.kind)
        return kind.label if kind else job.kind

    def get_result(self, job) -> JobResultSerializer(allow_null=True):
        if job.result_content_type_id is None:
            return None
        content_type = job.result_content_type
        return {"type": f"{content_type.app_label}.{content_type.model}",
                "id": job.result_object_id}

    def get_url(self, job) -> str:
        return job_api_url(job)


class JobDetail(generics.GenericAPIView):
    """One job of the spaces you reach: state, progress, error, result. Another space's job
    answers 404 like a missing one."""

    serializer_class = JobSerializer

    def get(self, request, job_id):
        job = object_or_404(Job.objects.select_related("result_content_type"), pk=job_id)
        return Response(JobSerializer(job).data)
