"""The one reader of user files: regular files only, a size limit, one encoding rule, bounded depth and aliases."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tidings.contracts.catalog.files import read_data_file
from tidings.contracts.errors import InputFileError


def test_a_fifo_is_refused_by_name_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(InputFileError, match=r"is a FIFO \(named pipe\), expected a regular file"):
        read_data_file(tmp_path / "pipe.json")


def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    with pytest.raises(InputFileError, match=r"is a character device"):
        read_data_file(tmp_path / "zero.yaml")


def test_a_symlink_loop_is_called_a_loop(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    with pytest.raises(InputFileError, match=r"is a symlink loop"):
        read_data_file(tmp_path / "a.yaml")


def test_the_size_limit_is_checked_and_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("x: " + "y" * 2000 + "\n")
    monkeypatch.setenv("TIDINGS_MAX_FILE_BYTES", "1000")
    with pytest.raises(InputFileError, match=r"larger than the limit of 1,000 bytes"):
        read_data_file(path)
    monkeypatch.setenv("TIDINGS_MAX_FILE_BYTES", "10000")
    assert read_data_file(path) == {"x": "y" * 2000}


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000, "x: " + "[" * 100_000 + "]" * 100_000])
def test_deep_documents_are_refused_not_a_recursion_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    with pytest.raises(InputFileError, match=r"nested"):
        read_data_file(path)


def test_billion_laughs_and_recursive_aliases_are_refused(tmp_path: Path) -> None:
    laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    (tmp_path / "laughs.yaml").write_text(laughs)
    with pytest.raises(InputFileError, match=r"aliases expand to more than"):
        read_data_file(tmp_path / "laughs.yaml")
    (tmp_path / "loop.yaml").write_text("a: &a [*a]\n")
    with pytest.raises(InputFileError, match=r"loop.yaml:1: an alias refers to a node that contains it"):
        read_data_file(tmp_path / "loop.yaml")


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")
    assert read_data_file(tmp_path / "ok.yaml") == {"base": {"x": 1}, "other": {"x": 1, "y": 2}}


def test_python_tags_are_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "tag.yaml").write_text("x: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(InputFileError, match=r"python/object/apply:os.system' is not allowed"):
        read_data_file(tmp_path / "tag.yaml")


def test_a_bom_is_one_rule(tmp_path: Path) -> None:
    (tmp_path / "bom.json").write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert read_data_file(tmp_path / "bom.json") == {"a": 1}
