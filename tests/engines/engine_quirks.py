"""Where an engine differs from AWS, as the conformance suite finds it: one entry per difference, the engines that
have it, and what tidings does about it. The README's "Engine quirks" table lists every entry (a test holds it);
`conftest.quirk` turns each into a strict expected failure on the engines named here."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["QUIRKS", "Quirk"]


@dataclass(frozen=True)
class Quirk:
    engines: tuple[str, ...]
    says: str  # the difference, in one line
    tidings: str  # what tidings does about it
    strict: bool = True  # False: timing-dependent, the check may pass on these engines too


QUIRKS = {
    "filter-exists-false": Quirk(
        ("ministack",),
        "`{exists: false}` does not match a message that has no message attributes at all (moto and LocalStack do)",
        "nothing: write policies that do not rely on it",
    ),
    "start-message-move-task": Quirk(
        ("embedded", "ministack"),
        "no StartMessageMoveTask (moto: 500 NotImplementedError; ministack: InvalidAction)",
        "`tidings queue redrive` falls back to receive, send, delete (body and attributes kept)",
    ),
    "filter-policy-scope-attribute": Quirk(
        ("ministack",),
        "GetSubscriptionAttributes omits FilterPolicyScope when it is the default (MessageAttributes)",
        "tidings reads a missing scope as MessageAttributes",
    ),
    "signing-cert-served": Quirk(
        ("ministack",),
        "SigningCertURL names a certificate the engine does not serve, so Signature cannot be verified",
        "nothing: a consumer that verifies signatures needs another engine",
    ),
    "envelope-binary-attribute": Quirk(
        ("ministack",),
        "a Binary message attribute arrives with an empty Value in the SNS envelope (raw delivery keeps it)",
        "nothing: tidings publishes String and Number attributes only",
    ),
    "fifo-missing-group-error": Quirk(
        ("embedded", "ministack"),
        "a publish to a FIFO topic without MessageGroupId fails with MissingParameter (moto) or "
        "InvalidParameterException (ministack), not InvalidParameter",
        "nothing: both are client errors",
    ),
    "raw-binary-attribute": Quirk(
        ("embedded",),
        "with raw delivery, a message carrying a Binary message attribute never reaches the queue",
        "nothing: tidings publishes String and Number attributes only",
    ),
    "fifo-publish-sequence-number": Quirk(
        ("embedded",),
        "Publish to a FIFO topic answers without SequenceNumber (delivery, order and dedup are right)",
        "nothing: tidings does not read it",
    ),
    "sns-delivery-async": Quirk(
        ("localstack",),
        "SNS delivers to SQS after Publish answers: a receive straight after a publish can miss it",
        "wait for messages (the plugin's `receive(timeout=)`, `queue receive --wait`); tests that count deliveries "
        "at once are not run on LocalStack in CI",
        strict=False,
    ),
}
