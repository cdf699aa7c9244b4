"""Contracts and reference data over HTTP: a thin adapter over the selectors and services."""

from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts.api.serializers import (
    ContractDetailSerializer,
    ContractDiffSerializer,
    ContractSerializer,
    ContractVersionSerializer,
    DomainSerializer,
    DomainUpsertSerializer,
    OwnerSerializer,
    OwnerUpsertSerializer,
    SystemSerializer,
    SystemUpsertSerializer,
)
from contracts.diff import contract_diff
from contracts.documents.odcs import bundle_to_odcs
from contracts.documents.serializing import bundle_to_document, dump_json, dump_yaml
from contracts.filters import (
    ContractFilterSet,
    DomainFilterSet,
    OwnerFilterSet,
    SystemFilterSet,
)
from contracts.models import DataContract
from contracts.selectors import (
    contract_bundle,
    contract_family,
    contract_links_get,
    contract_system_entries,
    contract_terms,
)
from contracts.services import domain_upsert, owner_upsert, system_upsert
from tenancy.api.views import editable_organization, object_or_404, schema_generation

#: The columns of a contract the list shows (its `space` is `space_label`).
CONTRACT_COLUMNS = [name for name in ContractSerializer.Meta.fields if name != "space"]

DOCUMENT_FORMATS = {
    "yaml": (dump_yaml, "application/yaml"),
    "json": (dump_json, "application/json"),
    "odcs": (dump_yaml, "application/yaml"),
}


def _contracts():
    """Contracts with `space_label`, the name of their space as commands write it."""
    return DataContract.objects.annotate(
        space_label=Concat("space__organization__slug", Value("/"), "space__slug",
                           output_field=CharField()),
    ).order_by("name", "version", "id")


def contract_or_404(contract_id, queryset=None):
    return object_or_404((queryset if queryset is not None else _contracts()).seal(),
                         pk=contract_id)


class ContractList(generics.ListAPIView):
    """Contracts of the spaces you reach, by name then version."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet

    def get_queryset(self):
        if schema_generation(self):
            return DataContract._base_manager.none()
        # Plain rows: a page of contracts is read far more often than it is written.
        return _contracts().values(*CONTRACT_COLUMNS, "space_label")


class ContractDetail(generics.GenericAPIView):
    """One contract version, with its owners and systems by role and its domains."""

    serializer_class = ContractDetailSerializer

    def get(self, request, contract_id):
        contract = contract_or_404(contract_id, _contracts().select_related("metadata_record"))
        links = contract_links_get(metadata_record=contract.metadata_record)
        return Response(ContractDetailSerializer(contract, context={"links": links}).data)


class ContractVersions(generics.GenericAPIView):
    """Every version of the contract's name in its space, newest first."""

    serializer_class = ContractVersionSerializer
    pagination_class = None
    # Tells the schema what the path's id names; the view reads through contract_or_404.
    queryset = DataContract._base_manager.none()

    @extend_schema(responses=ContractVersionSerializer(many=True))
    def get(self, request, contract_id):
        contract = contract_or_404(contract_id)
        family = contract_family(contract=contract)
        return Response([{"id": row[0], "version": row[1], "status": row[2]} for row in family])


class ContractDiff(generics.GenericAPIView):
    """The changes from the older to the newer of two versions of one contract, each marked
    breaking or not exactly as in the admin's comparison."""

    serializer_class = ContractDiffSerializer

    @extend_schema(parameters=[OpenApiParameter("other", OpenApiTypes.UUID, required=True,
                                                description="The other version's id.")])
    def get(self, request, contract_id):
        components = _contracts().select_related(
            "schema", "coercion_rules", "validation_rules"
        )
        contract = contract_or_404(contract_id, components)
        other = contract_or_404(request.query_params.get("other", ""), components)
        if (other.space_id, other.name) != (contract.space_id, contract.name):
            return Response({"other": ["Compare two versions of the same contract."]},
                            status=status.HTTP_400_BAD_REQUEST)
        order = [row[0] for row in contract_family(contract=contract)]
        older, newer = sorted((contract, other), key=lambda version: -order.index(version.pk))
        diff = contract_diff(contract_terms(older), contract_terms(newer))
        return Response(ContractDiffSerializer({
            "older": {"id": older.pk, "version": older.version, "status": older.status},
            "newer": {"id": newer.pk, "version": newer.version, "status": newer.status},
            "is_breaking": diff.is_breaking,
            "changes": [change.as_dict() for change in diff.changes],
        }).data)


class ContractDocument(APIView):
    """The whole contract as `export_contract` writes it: PyCharter YAML or JSON, or ODCS v3."""

    @extend_schema(
        parameters=[OpenApiParameter("document_format", OpenApiTypes.STR,
                                     enum=sorted(DOCUMENT_FORMATS), default="yaml")],
        responses={
            # One mapping either way: YAML for yaml and odcs, JSON for json.
            (200, "application/yaml"): OpenApiResponse(OpenApiTypes.OBJECT,
                                                       description="The document."),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT,
                                                       description="The document."),
            404: OpenApiResponse(description="No such contract."),
        },
    )
    def get(self, request, contract_id):
        chosen = request.query_params.get("document_format", "yaml")
        if chosen not in DOCUMENT_FORMATS:
            return Response({"document_format": [f"Choose one of {sorted(DOCUMENT_FORMATS)}."]},
                            status=status.HTTP_400_BAD_REQUEST)
        contract = contract_or_404(contract_id)
        bundle = contract_bundle(contract)
        dump, content_type = DOCUMENT_FORMATS[chosen]
        if chosen == "odcs":
            exported = bundle_to_odcs(bundle, systems=contract_system_entries(contract))
            response = HttpResponse(dump(exported.document), content_type=content_type)
            if exported.unmapped:
                response["X-Unmapped"] = "; ".join(exported.unmapped)[:2000]
            return response
        return HttpResponse(dump(bundle_to_document(bundle)), content_type=content_type)


class ReferenceList(generics.ListAPIView):
    """List the organization's rows; POST creates or updates one by its natural key."""

    upsert_serializer_class = None

    def get_serializer_class(self):
        if self.request.method == "POST":
            return self.upsert_serializer_class
        return self.serializer_class

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        if schema_generation(self):
            return model._base_manager.none()
        return model.objects.select_related("organization").seal()

    def post(self, request):
        incoming = self.upsert_serializer_class(data=request.data)
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        organization = editable_organization(request, values.pop("organization", None))
        instance, created = self.upsert(organization=organization, **values)
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.serializer_class(instance).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReferenceDetail(generics.GenericAPIView):
    def get(self, request, pk):
        model = self.serializer_class.Meta.model
        found = object_or_404(model.objects.select_related("organization").seal(), pk=pk)
        return Response(self.serializer_class(found).data)


class OwnerList(ReferenceList):
    serializer_class = OwnerSerializer
    upsert_serializer_class = OwnerUpsertSerializer
    filterset_class = OwnerFilterSet

    def upsert(self, *, organization, id, **values):
        return owner_upsert(organization=organization, owner_id=id, **values)


class SystemList(ReferenceList):
    serializer_class = SystemSerializer
    upsert_serializer_class = SystemUpsertSerializer
    filterset_class = SystemFilterSet

    def upsert(self, **values):
        return system_upsert(**values)


class DomainList(ReferenceList):
    serializer_class = DomainSerializer
    upsert_serializer_class = DomainUpsertSerializer
    filterset_class = DomainFilterSet

    def upsert(self, **values):
        return domain_upsert(**values)


class OwnerDetail(ReferenceDetail):
    serializer_class = OwnerSerializer


class SystemDetail(ReferenceDetail):
    serializer_class = SystemSerializer


class DomainDetail(ReferenceDetail):
    serializer_class = DomainSerializer


