"""A verification report as JUnit XML, for CI: one test suite per consumer, one test case per interaction, a
failure element carrying pact's mismatch text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from tidings.simulator.pact.provider import InteractionResult, VerificationReport

__all__ = ["junit_xml", "write_junit"]


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


def write_junit(report: VerificationReport, path: Path) -> None:
    """Write the JUnit XML of `report` to `path` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(junit_xml(report), encoding="utf-8")
