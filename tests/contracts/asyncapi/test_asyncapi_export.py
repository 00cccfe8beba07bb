"""AsyncAPI 3.0.0 export: valid against the official schema (vendored from @asyncapi/specs 6.11.1), and an
import of the export gives the same contracts back (jsoncompat, both ways)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml

from tidings.contracts import load_catalog
from tidings.contracts.asyncapi.export import QueueSubscription, export_asyncapi
from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.asyncapi.registry_format import write_registry_files
from tidings.contracts.asyncapi.schema_check import asyncapi_errors, message_errors
from tidings.contracts.compat.verdicts import compare
from tidings.contracts.registry.loader import load_registry

QUEUES = [
    QueueSubscription("intervention-events", {"eventType": [{"prefix": "intervention."}]}),
    QueueSubscription("referral-sent-only", {"eventType": ["intervention.referral.sent"]}, raw_delivery=True),
]


def test_export_is_valid_asyncapi_3() -> None:
    catalog = load_catalog()
    doc = export_asyncapi([catalog], queues=QUEUES)
    assert asyncapi_errors(doc) == []
    assert doc["asyncapi"] == "3.0.0"
    assert len(doc["components"]["messages"]) == len(catalog.events)
    actions = sorted(op["action"] for op in doc["operations"].values())
    assert actions == ["receive", "receive", "send"]
    consumer = doc["operations"]["receive.referral-sent-only"]["bindings"]["sns"]["consumers"][0]
    assert consumer["filterPolicy"] == {"eventType": ["intervention.referral.sent"]}


def test_the_validator_rejects_what_asyncapi_3_forbids() -> None:
    doc = export_asyncapi([load_catalog()])
    broken = copy.deepcopy(doc)
    next(iter(broken["operations"].values()))["action"] = "publish"  # the 2.x word
    del broken["info"]["version"]
    errors = asyncapi_errors(broken)
    assert any("publish" in e for e in errors) and any("version" in e for e in errors)
    assert message_errors({"payload": {"type": "object", "properties": {"referralId": "string"}}})


def test_round_trip_gives_equivalent_contracts(tmp_path: Path) -> None:
    catalog = load_catalog()
    out = tmp_path / "asyncapi.yaml"
    out.write_text(yaml.safe_dump(export_asyncapi([catalog])))
    report = import_paths([out], tmp_path / "back")
    assert report.counts["refused"] == 0
    back = load_registry(tmp_path / "back").catalog(catalog.producer)
    assert back.event_types == catalog.event_types
    for contract in catalog.events:
        mine = catalog.compiled(contract.event_type, contract.version).bundled
        theirs = back.compiled(contract.event_type, contract.version).bundled
        assert compare(mine, theirs, "full")[0], contract
        assert compare(theirs, mine, "full")[0], contract
        again = back.get(contract.event_type, contract.version)
        assert again.examples == contract.examples
        assert again.detail_url_template == contract.detail_url_template
        assert again.url_only_params.keys() == contract.url_only_params.keys()


def test_registry_format_files_are_registry_messages(tmp_path: Path) -> None:
    catalog = load_catalog()
    written = write_registry_files(catalog, tmp_path)
    assert len(written) == len(catalog.event_types)
    sent = yaml.safe_load((tmp_path / f"spec/schemas/{catalog.producer}/referral-sent.yml").read_text())
    assert sent["name"] == "intervention.referral.sent" and message_errors(sent) == []
    referral_id = sent["payload"]["properties"]["additionalInformation"]["properties"]["referralId"]
    assert (
        referral_id["example"]
        == catalog.get("intervention.referral.sent").examples[0]["additionalInformation"]["referralId"]
    )
    # and the registry format imports back as the same event types
    report = import_paths([tmp_path / "spec"], tmp_path / "again")
    assert sorted(t for types in report.producers.values() for t in types) == catalog.event_types
    json.dumps(report.to_json())
