"""``act2answer lab smolvla`` refuses bad input before it imports LeRobot or trains anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from act2answer.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ('{"patch_size": 5}', "image_size 64 / patch_size 5 must be an even whole number"),
        ('{"width": 66}', "must be multiples of heads 4"),
        ('{"n_action_steps": 9}', "n_action_steps 9 > chunk 4"),
        ('{"lr": -1, "patchsize": 5}', "lr: Input should be greater than 0; patchsize: Extra"),
        ('{"pretrain_items": -1}', "pretrain_items: Input should be greater than or equal to 0"),
        ("[1]", "--recipe"),
    ],
)
def test_bad_recipes_are_one_line_errors(tmp_path: Path, recipe: str, message: str) -> None:
    args = ["lab", "smolvla", "--demos", str(tmp_path), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, [*args, "--recipe", recipe])
    assert result.exit_code == 1, result.output
    assert message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_folder_that_is_not_a_dataset_is_named(tmp_path: Path) -> None:
    args = ["lab", "smolvla", "--demos", str(tmp_path / "nope"), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "is not a demonstration dataset" in " ".join(result.output.split()), result.output
