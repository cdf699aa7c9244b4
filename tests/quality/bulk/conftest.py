"""Fixtures of the bulk import and export tests: a command runner, files, and another tenant
with same-named rows, so that every test can assert it saw and changed nothing."""

import io
import json
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command

from contracts.models import (
    OWNERSHIP_ROLE_LINKS,
    SYSTEM_ROLE_LINKS,
    DataContract,
    Domain,
    Owner,
    System,
)
from quality.models import QualityViolation
from tests import factories


@dataclass(frozen=True)
class CommandRun:
    status: int
    stdout: str
    stderr: str

    @property
    def summary(self):
        return json.loads(self.stdout)


class _TerminalOutput(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def run():
    """Run a command as a pipeline would; the status is what the process would exit with."""

    def run_command(*arguments, stdout=None):
        stdout, stderr = stdout or io.StringIO(), io.StringIO()
        try:
            call_command(*arguments, stdout=stdout, stderr=stderr)
        except CommandError as error:
            stderr.write(f"CommandError: {error}\n")
            return CommandRun(error.returncode, stdout.getvalue(), stderr.getvalue())
        return CommandRun(0, stdout.getvalue(), stderr.getvalue())

    return run_command


@pytest.fixture
def terminal():
    """stdout as a terminal shows it: the commands draw a progress bar only there."""
    return _TerminalOutput()


@pytest.fixture
def space_argument(space):
    return f"{space.organization.slug}/{space.slug}"


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file of the test's folder and return its path."""

    def write(name, content):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


def tenant_rows(space):
    """Every row an import into `space` could touch, there and in its organization."""
    organization_id = space.organization_id
    links = {
        role: list(link_model.objects.filter(metadata_record__data_contract__space=space)
                   .order_by("id").values())
        for role, link_model in {**OWNERSHIP_ROLE_LINKS, **SYSTEM_ROLE_LINKS}.items()
    }
    return {
        "owners": list(Owner.objects.filter(organization_id=organization_id).order_by("id")
                       .values()),
        "systems": list(System.objects.filter(organization_id=organization_id).order_by("id")
                        .values()),
        "domains": list(Domain.objects.filter(organization_id=organization_id).order_by("id")
                        .values()),
        "contracts": list(DataContract.objects.filter(space=space).order_by("id").values()),
        "links": links,
        "violations": list(QualityViolation.objects.filter(space=space).order_by("id").values()),
    }


@pytest.fixture
def rows_of(unscoped):
    """`tenant_rows`, read across tenants as only a test may."""
    return tenant_rows


@pytest.fixture
def flights(unscoped, space):
    """A contract of the test space with a metadata record, an owner and a system."""
    contract = factories.DataContractFactory(space=space, name="flights", version="1.0.0")
    contract.metadata_record = factories.MetadataRecordFactory(data_contract=contract)
    contract.save()
    return contract


@pytest.fixture
def other_tenant(unscoped, other_space):
    """Rows named like the test space's in another organization; returns them as they were.

    The owner id must differ (it is unique in the whole database); everything else is
    named the same: system ICC, domain IOC, contract flights 1.0.0 with links and a
    violation.
    """
    organization = other_space.organization
    owner = factories.OwnerFactory(organization=organization, id="other_lincoln",
                                   name="Their Lincoln", email="lincoln@other.example")
    system = factories.SystemFactory(organization=organization, name="ICC", description="theirs")
    factories.DomainFactory(organization=organization, name="IOC", description="theirs")
    contract = factories.DataContractFactory(space=other_space, name="flights", version="1.0.0",
                                             description="theirs")
    contract.metadata_record = factories.MetadataRecordFactory(data_contract=contract)
    contract.save()
    OWNERSHIP_ROLE_LINKS["business_owners"].objects.create(
        metadata_record=contract.metadata_record, owner=owner
    )
    SYSTEM_ROLE_LINKS["pulls_from"].objects.create(
        metadata_record=contract.metadata_record, system=system
    )
    factories.QualityViolationFactory(data_contract=contract, record_identifier="theirs")
    return tenant_rows(other_space)
