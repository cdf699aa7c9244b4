"""Comments on any object over HTTP: list an object's thread, add to it.

The object is named by a type (one of the view's `object_types`, which the app that
owns the models wires in) and its id, and is looked up through its scoped manager:
another space's object answers the same 404 as a missing one. Adding needs the right
to edit the object's space (or organization, for reference data).
"""

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from tenancy.api.permissions import require_editable_organization, require_editable_space
from tenancy.api.views import object_or_404, schema_generation
from tenancy.models import Comment
from tenancy.shared import comment_add
from tenancy.tenants import tenant_ids


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "object_id", "author", "body", "created_at"]
        read_only_fields = fields


class CommentTargetSerializer(serializers.Serializer):
    object_type = serializers.CharField(
        max_length=50, help_text="What the object is, e.g. `contract` or `violation`; an "
        "unknown type is refused with the list of types.",
    )
    object_id = serializers.CharField(max_length=255)

    def validate_object_type(self, value):
        object_types = self.context["object_types"]
        if value not in object_types:
            raise serializers.ValidationError(f"One of {', '.join(sorted(object_types))}.")
        return value


class CommentCreateSerializer(CommentTargetSerializer):
    body = serializers.CharField(max_length=20_000)


class CommentList(generics.GenericAPIView):
    """The comments of one object, oldest first; POST adds one (needs edit rights there)."""

    serializer_class = CommentSerializer
    object_types = {}

    def _target(self, data, serializer_class):
        named = serializer_class(data=data, context={"object_types": self.object_types})
        named.is_valid(raise_exception=True)
        model = self.object_types[named.validated_data["object_type"]]
        target = object_or_404(model.objects.seal(), pk=named.validated_data["object_id"])
        return target, named.validated_data

    def get_queryset(self):
        if schema_generation(self):
            return Comment._base_manager.none()
        target, _ = self._target(self.request.query_params, CommentTargetSerializer)
        return (
            Comment.objects.filter(content_type=ContentType.objects.get_for_model(type(target)),
                                   object_id=str(target.pk))
            .select_related("author").order_by("created_at", "id").seal()
        )

    @extend_schema(parameters=[CommentTargetSerializer])
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CommentSerializer(page, many=True).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request):
        target, data = self._target(request.data, CommentCreateSerializer)
        space_id, organization_id = tenant_ids(target)
        if space_id is not None:
            require_editable_space(request, space_id)
        else:
            require_editable_organization(request, organization_id)
        comment = comment_add(target=target, author=request.user, body=data["body"])
        comment = Comment.objects.select_related("author").get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
