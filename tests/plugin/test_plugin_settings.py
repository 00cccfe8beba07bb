"""`[tool.tidings]` settings reach the plugin from the pyproject.toml that declares them, with relative paths taken
from that file, wherever pytest runs from (pytester, the project in a subfolder of the working directory)."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]


def test_relative_settings_resolve_from_their_pyproject_not_the_working_directory(pytester: pytest.Pytester) -> None:
    project = pytester.path / "team" / "consumer"
    (project / "fixtures" / "scenarios").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "pyproject.toml").write_text('[tool.tidings]\nfixtures = "fixtures"\n', encoding="utf-8")
    (project / "fixtures" / "scenarios" / "our-referral.yaml").write_text(
        textwrap.dedent(
            """
            name: our-referral
            steps:
              - emit: intervention.referral.sent
                data: {crn: X424242}
            """
        ).lstrip(),
        encoding="utf-8",
    )
    (project / "tests" / "test_ours.py").write_text(
        textwrap.dedent(
            """
            def test_our_own_scenario_is_found(tidings, tidings_settings):
                assert tidings_settings.fixtures.endswith("team/consumer/fixtures")
                queue = tidings.queue()
                tidings.play("our-referral")
                assert queue.wait_for("intervention.referral.sent", crn="X424242")
            """
        ),
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess("team/consumer/tests", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
