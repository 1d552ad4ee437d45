"""The suite's own hygiene: the guard on the repository's instance/ sees a change, and the
identifiers file kept beside the data is never read as data."""

from __future__ import annotations

from pathlib import Path

from server.publication.dataset import rdf_files
from server.settings import DEFAULTS, PROJECT_ROOT


def test_the_guard_watches_the_default_instance_folder(instance_guard):
    assert instance_guard.folder == PROJECT_ROOT / "instance" == Path(DEFAULTS["INSTANCE_DIR"])


def test_the_guard_sees_a_folder_created_a_file_added_or_changed(tmp_path, instance_guard):
    folder_state = instance_guard.state
    folder = tmp_path / "instance"
    assert folder_state(folder) is None
    folder.mkdir()
    empty = folder_state(folder)
    assert empty == {}
    (folder / "contributions").mkdir()
    created = folder_state(folder)
    assert created != empty
    (folder / "tokens.json").write_text("{}")
    added = folder_state(folder)
    assert added != created
    (folder / "tokens.json").write_text('{"x": 1}')
    assert folder_state(folder) != added


def test_external_ids_are_beside_the_data_but_not_published():
    data = PROJECT_ROOT / "data"
    assert (data / "external-ids.tsv").is_file()
    assert data / "external-ids.tsv" not in rdf_files([data])
    assert any(path.suffix == ".ttl" for path in rdf_files([data]))
