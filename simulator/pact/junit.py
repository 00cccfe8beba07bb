"""A verification report as JUnit XML, for CI: one test suite per consumer, one test case per interaction, a
failure element carrying pact's mismatch text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tidings.contracts.errors import UsageError
from tidings.simulator.pact.provider import InteractionResult, VerificationReport

__all__ = ["check_junit_target", "junit_xml", "write_junit"]


def junit_xml(report: VerificationReport) -> str:
    """The report as a JUnit XML document."""
    by_consumer: dict[str, list[InteractionResult]] = {}
    for result in report.results:
        by_consumer.setdefault(result.consumer, []).append(result)
    root = ET.Element(
        "testsuites",
        name=f"pact verify {report.provider}",
        tests=str(len(report.results)),
        failures=str(len(report.failed)),
        time=f"{report.seconds:.3f}",
    )
    for consumer, results in by_consumer.items():
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{consumer} → {report.provider}",
            tests=str(len(results)),
            failures=str(sum(1 for result in results if not result.passed)),
        )
        for result in results:
            name = result.description + (f" (given {', '.join(result.states)})" if result.states else "")
            case = ET.SubElement(suite, "testcase", classname=f"pact.{consumer}", name=name)
            if result.event_type:
                ET.SubElement(ET.SubElement(case, "properties"), "property", name="eventType", value=result.event_type)
            elif result.request:
                properties = ET.SubElement(case, "properties")
                ET.SubElement(properties, "property", name="request", value=result.request)
                if result.resource:
                    ET.SubElement(properties, "property", name="resource", value=result.resource)
            if not result.passed:
                text = "\n".join(result.mismatches)
                failure = ET.SubElement(case, "failure", message=result.mismatches[0] if result.mismatches else "")
                failure.text = text
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def check_junit_target(path: Path) -> None:
    """UsageError, before anything is verified, when `path` cannot take the report: a directory, a FIFO or
    device, or a parent that is a file."""
    hint = "give a file path, e.g. --junit reports/pact.xml"
    if path.is_dir():
        raise UsageError(f"--junit {path} is a directory, not a file", hint=hint)
    if path.exists() and not path.is_file():
        raise UsageError(f"--junit {path} is not a regular file", hint=hint)
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"--junit {path}: {parent} is not a directory", hint=hint)
            break


def write_junit(report: VerificationReport, path: Path) -> None:
    """Write the report's JUnit XML to `path` (its folder created); UsageError when it cannot be written."""
    check_junit_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(junit_xml(report), encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write --junit {path}: {error.strerror}", hint="give a writable file path") from None
