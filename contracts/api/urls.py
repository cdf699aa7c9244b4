from django.urls import path

from contracts.api import views

urlpatterns = [
    path("contracts/", views.ContractList.as_view(), name="contract-list"),
    path("contracts/<str:contract_id>/", views.ContractDetail.as_view(), name="contract-detail"),
    path("contracts/<str:contract_id>/versions/", views.ContractVersions.as_view(),
         name="contract-versions"),
    path("contracts/<str:contract_id>/diff/", views.ContractDiff.as_view(), name="contract-diff"),
    path("contracts/<str:contract_id>/document/", views.ContractDocument.as_view(),
         name="contract-document"),
    path("owners/", views.OwnerList.as_view(), name="owner-list"),
    path("owners/<str:pk>/", views.OwnerDetail.as_view(), name="owner-detail"),
    path("systems/", views.SystemList.as_view(), name="system-list"),
    path("systems/<str:pk>/", views.SystemDetail.as_view(), name="system-detail"),
    path("domains/", views.DomainList.as_view(), name="domain-list"),
    path("domains/<str:pk>/", views.DomainDetail.as_view(), name="domain-detail"),
]
