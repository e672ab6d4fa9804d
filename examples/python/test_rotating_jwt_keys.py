"""
The Python KeyRing's cache, on a fake Secrets Manager and a fake clock: when it reads the
secret again, as docs/key-document.md section 5 says (and the Node client does). Run by
test/examples/python.test.ts: python3 -m unittest test_rotating_jwt_keys (in this folder).
"""

import base64
import json
import os
import unittest

from botocore.exceptions import ClientError

import rotating_jwt_keys as ring_module
from rotating_jwt_keys import KeyRing, KeyRingError

T0 = 1_780_000_000.0


def hmac_document(kid, **members):
    key = base64.urlsafe_b64encode(os.urandom(64)).rstrip(b"=").decode()
    return {"kty": "oct", "alg": "HS256", "use": "sig", "kid": kid, "k": key, **members}


class FakeSecrets:
    """GetSecretValue from a table of stages; counts calls; can fail every call."""

    def __init__(self):
        self.stages = {}
        self.calls = 0
        self.failing = False

    def put(self, stage, document):
        self.stages[stage] = document

    def get_secret_value(self, SecretId, VersionStage):
        self.calls += 1
        if self.failing:
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "GetSecretValue")
        document = self.stages.get(VersionStage)
        if document is None:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetSecretValue")
        return {
            "VersionId": document["kid"],
            "SecretString": json.dumps(document),
            "VersionStages": [VersionStage],
        }


class KeyRingCacheTest(unittest.TestCase):
    def setUp(self):
        # GIVEN a secret with one key (naming its standby) and a ring on a fake clock
        self.now = T0
        self.secrets = FakeSecrets()
        self.secrets.put("AWSCURRENT", hmac_document("k1", nextKid="k2"))
        self.ring = KeyRing("app/jwt", client=self.secrets, clock=lambda: self.now)

    def rotate(self):
        """k2, the standby, becomes current; k1 previous, with a day's grace."""
        self.secrets.put("AWSPREVIOUS", self.secrets.stages["AWSCURRENT"])
        self.secrets.put("AWSCURRENT", hmac_document(
            "k2", createdAt="2026-05-28T20:26:40.000Z", previousKeyGraceSeconds=86400,
            previousKid="k1", nextKid="k3"))

    def test_keys_are_read_once_per_cache_period(self):
        self.ring.sign({})
        reads = self.secrets.calls
        self.now += ring_module.CACHE_SECONDS - 1
        self.ring.sign({})
        self.assertEqual(self.secrets.calls, reads)
        self.now += 1
        self.ring.sign({})
        self.assertGreater(self.secrets.calls, reads)

    def test_an_unknown_kid_reads_at_most_once_per_30_seconds(self):
        forged = with_kid(self.ring.sign({}), "k9")
        reads = self.secrets.calls
        for _ in range(3):
            with self.assertRaises(KeyRingError) as refused:
                self.ring.verify(forged)
            self.assertEqual(refused.exception.code, "ERR_JWT_UNKNOWN_KID")
        self.assertEqual(self.secrets.calls, reads + 2)  # one read: AWSCURRENT and AWSPREVIOUS
        self.now += ring_module.UNKNOWN_KID_REFRESH_SECONDS
        with self.assertRaises(KeyRingError):
            self.ring.verify(forged)
        self.assertEqual(self.secrets.calls, reads + 4)

    def test_the_next_kid_reads_at_once_after_a_rotation(self):
        # AND a token with an unknown kid spent the unknown-kid budget
        with self.assertRaises(KeyRingError):
            self.ring.verify(with_kid(self.ring.sign({}), "k9"))
        # WHEN the secret rotates and the first ring, still holding k1 as current, meets a
        # token of k2 (k1's nextKid) within the unknown-kid interval
        self.rotate()
        token = KeyRing("app/jwt", client=self.secrets, clock=lambda: self.now).sign({})
        verified = self.ring.verify(token)
        # THEN it read the secret at once and verifies it
        self.assertEqual((verified.kid, verified.stage), ("k2", "AWSCURRENT"))

    def test_stale_keys_serve_within_the_staleness_bound_then_fail_closed(self):
        token = self.ring.sign({})
        self.secrets.failing = True
        self.now += ring_module.MAX_STALENESS_SECONDS - 1
        self.assertEqual(self.ring.verify(token).kid, "k1")
        self.now += 1
        with self.assertRaises(KeyRingError) as refused:
            self.ring.verify(token)
        self.assertEqual(refused.exception.code, "ERR_KEY_STORE_UNAVAILABLE")

    def test_a_failed_read_is_not_repeated_within_5_seconds(self):
        self.secrets.failing = True
        for _ in range(3):
            with self.assertRaises(KeyRingError):
                self.ring.sign({})
        self.assertEqual(self.secrets.calls, 1)
        self.now += ring_module.RETRY_AFTER_FAILURE_SECONDS
        with self.assertRaises(KeyRingError):
            self.ring.sign({})
        self.assertEqual(self.secrets.calls, 2)

    def test_a_retired_event_drops_the_previous_key_at_once(self):
        self.rotate()
        old = KeyRing("app/jwt", client=FakeSecretsWith(self.secrets.stages["AWSPREVIOUS"]),
                      clock=lambda: self.now).sign({})
        self.assertEqual(self.ring.verify(old).stage, "AWSPREVIOUS")
        self.ring.handle_rotation_event({
            "source": "rotating-jwt-keys",
            "detail-type": "JWT Signing Key Retired",
            "detail": {
                "secretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/jwt-AbCdEf",
                "algorithm": "HS256", "reason": "revoked",
                "retired": {"versionId": "k1", "kid": "k1"},
                "current": {"versionId": "k2", "kid": "k2"},
            },
        })
        # Secrets Manager still returns k1 as AWSPREVIOUS: the event wins
        with self.assertRaises(KeyRingError) as refused:
            self.ring.verify(old)
        self.assertEqual(refused.exception.code, "ERR_JWT_UNKNOWN_KID")


def with_kid(token, kid):
    """The token with another kid in its header (its signature no longer matches: no matter)."""
    header = json.dumps({"alg": "HS256", "kid": kid}).encode()
    encoded = base64.urlsafe_b64encode(header).rstrip(b"=").decode()
    return ".".join([encoded, *token.split(".")[1:]])


def FakeSecretsWith(document):  # noqa: N802 (reads as a class)
    secrets = FakeSecrets()
    secrets.put("AWSCURRENT", document)
    return secrets


if __name__ == "__main__":
    unittest.main()
