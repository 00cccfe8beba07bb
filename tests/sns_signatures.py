"""Verifying an SNS notification's Signature as an SDK's message validator does (shared by tests)."""

from __future__ import annotations

import base64
import urllib.request
from typing import Any
from urllib.parse import urlsplit

__all__ = ["verify_notification"]


def verify_notification(envelope: dict[str, Any], endpoint: str) -> bool:
    """What an SDK's SNS message validator does: fetch the PEM at SigningCertURL (from the engine: a local engine
    names its own or AWS's host), build the canonical string of a Notification, check the RSA PKCS#1 v1.5
    signature with SHA1 (SignatureVersion 1) or SHA256 (2)."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    parts = urlsplit(envelope["SigningCertURL"])
    assert parts.path.endswith(".pem"), envelope["SigningCertURL"]
    try:
        with urllib.request.urlopen(endpoint + parts.path, timeout=5) as answer:
            pem = answer.read()
    except OSError as error:
        raise AssertionError(f"no certificate at {parts.path}: {error}") from None
    key = x509.load_pem_x509_certificate(pem).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    fields = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
    canonical = "".join(f"{name}\n{envelope[name]}\n" for name in fields if envelope.get(name) is not None)
    algorithm = hashes.SHA256() if envelope["SignatureVersion"] == "2" else hashes.SHA1()
    try:
        key.verify(base64.b64decode(envelope["Signature"]), canonical.encode(), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        return False
    return True
