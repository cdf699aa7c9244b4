"""`export_contract --split` writes its files inside the folder it was given, whatever the
contract's name holds."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories


@pytest.mark.parametrize("name", ["../../escaped", "/tmp/escaped", "sub/escaped"])
def test_a_name_that_leads_outside_the_folder_writes_nothing(db, space, tmp_path, name):
    # given a contract whose stored name is a path (written by another tool, say)
    contract = factories.DataContractFactory(space=space, name=name, version="1.0.0")
    contract.metadata_record = factories.MetadataRecordFactory(data_contract=contract)
    contract.save()
    folder = tmp_path / "out" / "split"

    # when it is exported as split files
    with pytest.raises(CommandError) as caught:
        call_command("export_contract", name, "--space",
                     f"{space.organization.slug}/{space.slug}", "--split", str(folder),
                     stdout=io.StringIO(), stderr=io.StringIO())

    # then the command refuses, and no file was written anywhere under the test's folder
    assert str(caught.value).startswith(f"contract {name!r}: ")
    assert sorted(path.name for path in tmp_path.rglob("*") if path.is_file()) == []
