import pytest

from optolab.files import write_text_atomic


def test_write_text_atomic_replaces_whole_files_and_leaves_nothing_behind(tmp_path):
    path = tmp_path / "state" / "agent.json"
    assert write_text_atomic(path, '{"v": 1}') == path  # the missing folder is made
    write_text_atomic(path, '{"v": 2}')
    assert path.read_text(encoding="utf-8") == '{"v": 2}'
    with pytest.raises(TypeError):
        write_text_atomic(path, {"v": 3})  # a failed write keeps the old file and removes its temporary one
    assert path.read_text(encoding="utf-8") == '{"v": 2}'
    assert [p.name for p in path.parent.iterdir()] == ["agent.json"]
