"""
Sign and verify JWTs with a rotating-jwt-keys secret from Python, by docs/key-document.md.

AWSCURRENT signs; AWSCURRENT verifies, and AWSPREVIOUS too until the grace period the current
key document states has ended. Keys are read from Secrets Manager rarely (cached for five
minutes, as the Node client's JwtKeyRing) and never per request. Needs PyJWT (with
cryptography, for ES256, EdDSA and RS256) and boto3; on Debian: python3-jwt python3-boto3
python3-cryptography.

    ring = KeyRing(secret_id=os.environ["JWT_SECRET_ARN"], issuer="https://api.example.com")
    token = ring.sign({"sub": "user-42"})
    verified = ring.verify(token)  # verified.payload, verified.kid, verified.stage

Also a small command line, for trying it (and for the project's tests):

    JWT_SECRET_ID=app/jwt python3 rotating_jwt_keys.py sign '{"sub": "user-42"}'
    JWT_SECRET_ID=app/jwt python3 rotating_jwt_keys.py verify <token>
"""

import base64
import binascii
import calendar
import json
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import boto3
import jwt
from botocore.exceptions import ClientError

CACHE_SECONDS = 300
"""How long keys are used before they are read again (the Node client's cacheTtlMs)."""
MAX_STALENESS_SECONDS = 900
"""How long cached keys still serve while Secrets Manager fails; then the ring fails closed."""
RETRY_AFTER_FAILURE_SECONDS = 5
UNKNOWN_KID_REFRESH_SECONDS = 30
"""Least time between two reads caused by tokens whose kid no loaded key has."""
NEXT_KID_REFRESH_SECONDS = 1
"""Least time between two reads caused by tokens carrying the current document's nextKid."""
CLOCK_TOLERANCE_SECONDS = 60
MAX_TOKEN_BYTES = 8192
DEFAULT_EXPIRES_IN_SECONDS = 15 * 60

HMAC_MINIMUM_KEY_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
KEY_TYPES = {
    "HS256": "oct", "HS384": "oct", "HS512": "oct", "ES256": "EC", "EdDSA": "OKP", "RS256": "RSA",
}
KEY_MEMBERS = {
    "oct": ("k",),
    "EC": ("crv", "x", "y", "d"),
    "OKP": ("crv", "x", "d"),
    "RSA": ("n", "e", "d", "p", "q", "dp", "dq", "qi"),
}
CURVES = {"ES256": "P-256", "EdDSA": "Ed25519"}
MAX_KID_LENGTH = 256
ISO_8601_UTC = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$")
CURRENT_SINCE_LABEL = re.compile(r"^JWTKEY_CURRENT_SINCE_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$")
BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class KeyRingError(Exception):
    """A refusal or failure with a stable code (the Node client's codes). Never quotes a key."""

    def __init__(self, code, message):
        super().__init__(f"{message} ({code})")
        self.code = code


@dataclass(frozen=True)
class Key:
    kid: str
    alg: str
    stage: str  # AWSCURRENT or AWSPREVIOUS
    document: dict
    version_stages: tuple
    jwk: jwt.PyJWK

    @property
    def verification_key(self):
        """An asymmetric key verifies with its public half; an HMAC key with its bytes."""
        key = self.jwk.key
        return key.public_key() if hasattr(key, "public_key") else key

    @property
    def legacy(self):
        return self.document.get("legacy")


@dataclass(frozen=True)
class Snapshot:
    current: Key
    previous: Key | None
    previous_grace_ends_at: float | None  # epoch seconds; None: the AWSPREVIOUS label decides
    fetched_at: float


@dataclass(frozen=True)
class VerifiedToken:
    payload: dict
    kid: str
    stage: str
    legacy: bool


class KeyRing:
    """
    Signs with AWSCURRENT, verifies with AWSCURRENT or AWSPREVIOUS by kid. Threads may share
    one; reads of the secret are serialized by a lock. Unlike the Node client, it reads when
    the cache period ends (the caller waits for it) rather than in the background ahead of it.
    """

    def __init__(self, secret_id, client=None, clock=time.time, issuer=None, audience=None,
                 clock_tolerance_seconds=CLOCK_TOLERANCE_SECONDS, cache_seconds=CACHE_SECONDS):
        self.secret_id = secret_id
        self.client = client or boto3.client("secretsmanager")
        self.clock = clock
        self.issuer = issuer
        self.audience = audience
        self.tolerance = clock_tolerance_seconds
        self.cache_seconds = cache_seconds
        self.max_staleness = max(MAX_STALENESS_SECONDS, cache_seconds)
        self._lock = threading.Lock()
        self._snapshot = None
        self._last_failure_at = None
        self._last_read_for = {}  # "unknown_kid" / "next_kid": when the last such read started
        # What rotation events said (kids are unique per key: never undone).
        self._retired_kids = set()
        self._not_current_kids = set()

    # -- signing ---------------------------------------------------------------------------

    def sign(self, claims, expires_in=DEFAULT_EXPIRES_IN_SECONDS):
        """A token signed by the AWSCURRENT key: header {alg, kid, typ}; iat and exp set."""
        current = self._keys().current
        if current.kid in self._retired_kids or current.kid in self._not_current_kids:
            raise KeyRingError(
                "ERR_KEY_STORE_UNAVAILABLE",
                f"not signing: a rotation event withdrew the AWSCURRENT key {current.kid}",
            )
        if current.legacy is not None:
            raise KeyRingError(
                "ERR_LEGACY_KEY_CANNOT_SIGN",
                f"the AWSCURRENT key {current.kid} is a legacy key, which only verifies",
            )
        now = int(self.clock())
        payload = dict(claims, iat=now, exp=now + expires_in)
        if self.issuer is not None:
            payload["iss"] = self.issuer
        if self.audience is not None:
            payload["aud"] = self.audience
        return jwt.encode(payload, current.jwk.key, algorithm=current.alg,
                          headers={"kid": current.kid, "typ": "JWT"})

    # -- verifying -------------------------------------------------------------------------

    def verify(self, token):
        """The token's claims, or KeyRingError. The key is chosen by kid among loaded keys only."""
        header = decode_header(token)
        kid = header.get("kid")
        if kid is not None and (not isinstance(kid, str) or kid == ""):
            raise KeyRingError("ERR_JWT_UNKNOWN_KID", "the token names no key (an empty kid)")
        snapshot = self._keys()
        key = find_key(snapshot, kid, self._retired_kids)
        if key is None:
            snapshot = self._refresh_for_missing_key(snapshot, kid)
            key = find_key(snapshot, kid, self._retired_kids)
        if key is None:
            raise KeyRingError(
                "ERR_JWT_UNKNOWN_KID",
                "no loaded key has the token's kid" if kid is not None
                else "the token names no key (no kid) and no legacy key is loaded",
            )
        # The algorithm is the key's, never the token's.
        if header["alg"] != key.alg:
            raise KeyRingError(
                "ERR_JWT_ALG_NOT_ALLOWED",
                f"the key {key.kid} only verifies {key.alg}, the token says {header['alg']!r}",
            )
        try:
            payload_bytes = jwt.api_jws.PyJWS().decode_complete(
                token, key.verification_key, algorithms=[key.alg])["payload"]
        except jwt.InvalidSignatureError:
            raise KeyRingError("ERR_JWT_SIGNATURE_INVALID", "signature verification failed") from None
        except jwt.InvalidTokenError as error:
            raise KeyRingError("ERR_JWT_MALFORMED", f"malformed token: {type(error).__name__}") from None
        now = self.clock()
        ends = snapshot.previous_grace_ends_at
        if key.stage == "AWSPREVIOUS" and ends is not None and now >= ends:
            raise KeyRingError("ERR_JWT_PREVIOUS_KEY_EXPIRED",
                               f"the previous key {key.kid} stopped verifying at {iso(ends)}")
        legacy = key.legacy
        require_exp = legacy is None or legacy["tokensWithoutExp"] != "accept-until-grace-end"
        payload = self._check_claims(payload_bytes, int(now), require_exp)
        return VerifiedToken(payload=payload, kid=key.kid, stage=key.stage, legacy=legacy is not None)

    def _check_claims(self, payload_bytes, now, require_exp):
        try:
            claims = json.loads(payload_bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            claims = None
        if not isinstance(claims, dict):
            raise KeyRingError("ERR_JWT_CLAIMS_MALFORMED", "the payload is not a UTF-8 JSON object")
        for name in ("iat", "nbf", "exp"):
            value = claims.get(name)
            if value is not None and not is_number(value):
                raise KeyRingError("ERR_JWT_CLAIM_INVALID", f'"{name}" claim must be a number')
        if "exp" not in claims and require_exp:
            raise KeyRingError("ERR_JWT_EXP_MISSING", 'the token has no "exp" claim')
        if self.issuer is not None and claims.get("iss") != self.issuer:
            raise KeyRingError("ERR_JWT_CLAIM_INVALID", 'unexpected "iss" claim value')
        if self.audience is not None and not names_audience(claims.get("aud"), self.audience):
            raise KeyRingError("ERR_JWT_CLAIM_INVALID", 'unexpected "aud" claim value')
        if "nbf" in claims and claims["nbf"] > now + self.tolerance:
            raise KeyRingError("ERR_JWT_NOT_YET_VALID", '"nbf" claim timestamp check failed')
        if "exp" in claims and claims["exp"] <= now - self.tolerance:
            raise KeyRingError("ERR_JWT_EXPIRED", '"exp" claim timestamp check failed')
        return claims

    # -- rotation events (optional: EventBridge "JWT Signing Key Rotated" / "... Retired") --

    def handle_rotation_event(self, event):
        """
        Applies an EventBridge event of this secret at once, then reads the keys again: a retired
        or dropped key stops verifying, and a key no longer current stops signing, whatever the
        cache holds. Simpler than the Node client: a demoted key verifies as AWSPREVIOUS only
        once a read returns it so (the Node client also uses the event's previousGraceEndsAt).
        """
        if not isinstance(event, dict) or event.get("source") != "rotating-jwt-keys":
            return False
        detail = event.get("detail")
        if isinstance(detail, str):
            detail = json.loads(detail)
        if not isinstance(detail, dict) or not is_this_secret(detail.get("secretArn"), self.secret_id):
            return False
        current_kid = kid_of(detail.get("current"))
        for name in ("retired", "droppedEarly"):
            kid = kid_of(detail.get(name))
            if kid is not None and kid != current_kid:
                self._retired_kids.add(kid)
        demoted = kid_of(detail.get("previous"))
        if demoted is not None and demoted != current_kid:
            self._not_current_kids.add(demoted)
        self._read()
        return True

    # -- the cache ---------------------------------------------------------------------------

    def _keys(self):
        """The cached keys while fresh; read again when due; stale only within the bound."""
        snapshot = self._snapshot
        now = self.clock()
        if snapshot is not None and now - snapshot.fetched_at < self.cache_seconds:
            return snapshot
        retry_after = min(RETRY_AFTER_FAILURE_SECONDS, self.cache_seconds)
        recently_failed = (
            self._last_failure_at is not None and now - self._last_failure_at < retry_after
        )
        if snapshot is None and recently_failed:
            # Before the first read too: no call to Secrets Manager per request while it fails.
            raise KeyRingError(
                "ERR_KEY_STORE_UNAVAILABLE",
                f"the keys of {self.secret_id} could not be read (not read again for "
                f"{retry_after} s after a failure)",
            )
        if not recently_failed:
            try:
                return self._read()
            except KeyRingError:
                if snapshot is None:
                    raise
        if now - snapshot.fetched_at >= self.max_staleness:
            raise KeyRingError(
                "ERR_KEY_STORE_UNAVAILABLE",
                f"the keys of {self.secret_id} could not be read within the staleness bound",
            )
        return snapshot

    def _refresh_for_missing_key(self, snapshot, kid):
        """One rate-limited read: at once for the nextKid (a rotation happened), else 30 s apart."""
        now = self.clock()
        next_kid = kid is not None and kid == snapshot.current.document.get("nextKid")
        budget = "next_kid" if next_kid else "unknown_kid"
        interval = NEXT_KID_REFRESH_SECONDS if next_kid else UNKNOWN_KID_REFRESH_SECONDS
        last = self._last_read_for.get(budget)
        if last is not None and now - last < interval:
            return snapshot
        self._last_read_for[budget] = now
        try:
            return self._read()
        except KeyRingError:
            return snapshot

    def _read(self):
        with self._lock:
            fetched_at = self.clock()
            try:
                current, previous = self._read_consistent()
            except KeyRingError:
                self._last_failure_at = self.clock()
                raise
            if previous is not None and (
                previous.kid == current.kid or previous.kid in self._retired_kids
            ):
                previous = None
            self._snapshot = Snapshot(
                current=current,
                previous=previous,
                previous_grace_ends_at=grace_end_of_previous(current.document, current.version_stages),
                fetched_at=fetched_at,
            )
            self._last_failure_at = None
            return self._snapshot

    def _read_consistent(self):
        """Both stages, read again where a rotation's label move fell between the two reads."""
        current, previous = self._read_stage("AWSCURRENT"), self._read_stage("AWSPREVIOUS")
        if current is None:
            raise KeyRingError(
                "ERR_KEY_DOCUMENT_INVALID", f"secret {self.secret_id} has no AWSCURRENT value"
            )
        if previous is not None and previous.kid == current.kid:
            current = self._read_stage("AWSCURRENT")  # the key now current was missed
        expected = current.document.get("previousKid")
        if expected is not None and (previous is None or previous.kid != expected):
            ends = grace_end_of_previous(current.document, current.version_stages)
            if ends is None or self.clock() < ends:
                previous = self._read_stage("AWSPREVIOUS")  # read after AWSCURRENT: the truth
        return current, previous

    def _read_stage(self, stage):
        try:
            value = self.client.get_secret_value(SecretId=self.secret_id, VersionStage=stage)
        except ClientError as error:
            name = error.response.get("Error", {}).get("Code")
            if stage == "AWSPREVIOUS" and name == "ResourceNotFoundException":
                return None  # before the first rotation, or after a retirement
            raise KeyRingError(
                "ERR_KEY_STORE_UNAVAILABLE", f"could not read {stage} of {self.secret_id}: {name}"
            ) from None
        except Exception as error:  # endpoint unreachable, credentials, ...
            raise KeyRingError(
                "ERR_KEY_STORE_UNAVAILABLE",
                f"could not read {stage} of {self.secret_id}: {type(error).__name__}",
            ) from None
        source = f"{self.secret_id} version {value.get('VersionId')} ({stage})"
        try:
            document = parse_key_document(value.get("SecretString") or "", source)
            jwk = import_key(document)
        except KeyRingError:
            if stage == "AWSPREVIOUS":
                return None  # a broken previous value is never used; the current key still serves
            raise
        return Key(
            kid=document["kid"],
            alg=document["alg"],
            stage=stage,
            document=document,
            version_stages=tuple(value.get("VersionStages") or (stage,)),
            jwk=jwk,
        )


# -- the key document (docs/key-document.md) -------------------------------------------------


def parse_key_document(text, source="key document"):
    """The document as a dict, or KeyRingError(ERR_KEY_DOCUMENT_INVALID) naming what is wrong."""

    def fail(problem):
        raise KeyRingError("ERR_KEY_DOCUMENT_INVALID", f"{source}: {problem}")

    try:
        document = json.loads(text)
    except ValueError:
        fail("not JSON")  # the parser's message may quote the text, which may be key material
    if not isinstance(document, dict):
        fail("not a JSON object")
    alg = document.get("alg")
    if alg not in KEY_TYPES:
        fail(f"unsupported alg {alg!r}")
    if document.get("kty") != KEY_TYPES[alg]:
        fail(f"kty must be {KEY_TYPES[alg]!r} for {alg}")
    if document.get("use", "sig") != "sig":
        fail('use must be "sig"')
    key_ops = document.get("key_ops")
    if key_ops is not None and not (isinstance(key_ops, list) and key_ops
                                    and all(op in ("sign", "verify") for op in key_ops)):
        fail('key_ops may only list "sign" and "verify"')
    if not is_kid(document.get("kid")):
        fail(f"kid must be a string of 1 to {MAX_KID_LENGTH} characters")
    legacy = document.get("legacy")
    if legacy is not None and not (
        KEY_TYPES[alg] == "oct"
        and isinstance(legacy, dict)
        and set(legacy) == {"graceSeconds", "tokensWithoutExp"}
        and is_whole_seconds(legacy["graceSeconds"])
        and legacy["tokensWithoutExp"] in ("refuse", "accept-until-grace-end")
    ):
        fail("bad legacy member: only on HMAC keys, exactly graceSeconds and tokensWithoutExp")
    for member in KEY_MEMBERS[KEY_TYPES[alg]]:
        value = document.get(member)
        if not isinstance(value, str) or value == "":
            fail(f"{alg} needs the member {member}")
        if member != "crv" and canonical_base64url(value) is None:
            fail(f"{member} is not canonical unpadded base64url")
    if alg in CURVES:
        if document["crv"] != CURVES[alg]:
            fail(f"crv must be {CURVES[alg]} for {alg}")
        members = KEY_MEMBERS[KEY_TYPES[alg]][1:]  # all but crv
        if any(len(canonical_base64url(document[member])) != 32 for member in members):
            fail(f"{alg} key members must be 32 bytes each")
    if alg == "RS256":
        modulus = canonical_base64url(document["n"])
        if modulus[0] == 0 or not 2048 <= int.from_bytes(modulus, "big").bit_length() <= 8192:
            fail("the RSA modulus must have 2048 to 8192 bits and no leading zero byte")
    if KEY_TYPES[alg] == "oct":
        minimum = 1 if legacy is not None else HMAC_MINIMUM_KEY_BYTES[alg]
        if len(canonical_base64url(document["k"])) < minimum:
            fail(f"{alg} needs a key of at least {minimum} bytes")
    created_at = document.get("createdAt")
    if created_at is not None and (
        not isinstance(created_at, str) or parse_iso_utc(created_at) is None
    ):
        fail("createdAt must be an ISO-8601 UTC time")
    grace = document.get("previousKeyGraceSeconds")
    if grace is not None and not is_whole_seconds(grace):
        fail("previousKeyGraceSeconds must be a whole number of seconds >= 0")
    for member in ("nextKid", "previousKid"):
        reference = document.get(member)
        if reference is not None and (not is_kid(reference) or reference == document["kid"]):
            fail(f"{member} must be a kid other than the key's own")
    return document


def import_key(document):
    """The key, by PyJWT (cryptography checks that an asymmetric key's halves belong together)."""
    members = {name: document[name] for name in ("kty", *KEY_MEMBERS[document["kty"]])}
    try:
        return jwt.PyJWK(members, algorithm=document["alg"])
    except Exception as error:  # never pass on the message: it could quote a member
        raise KeyRingError("ERR_KEY_DOCUMENT_INVALID",
                           f"not a usable {document['alg']} key ({type(error).__name__})") from None


def grace_end_of_previous(document, current_version_stages):
    """
    When the previous key stops verifying (epoch seconds), or None when the current document
    states no grace (the AWSPREVIOUS label alone decides). Counted from createdAt, or from the
    latest JWTKEY_CURRENT_SINCE_ label on the current version when that is later.
    """
    grace = document.get("previousKeyGraceSeconds")
    if grace is None:
        return None
    created_at = parse_iso_utc(document["createdAt"]) if "createdAt" in document else None
    since = current_since(current_version_stages)
    if since is None or (created_at is not None and created_at > since):
        start = created_at
    else:
        start = since
    return None if start is None else start + grace


def current_since(stages):
    """The promotion moment the JWTKEY_CURRENT_SINCE_<yyyymmddThhmmssZ> labels record, or None."""
    latest = None
    for stage in stages or ():
        match = CURRENT_SINCE_LABEL.match(stage)
        if match is None:
            continue
        try:
            at = calendar.timegm(datetime(*map(int, match.groups())).timetuple())
        except ValueError:  # a label that does not parse (month 13) is ignored
            continue
        latest = at if latest is None else max(latest, at)
    return latest


def kid_of(reference):
    kid = reference.get("kid") if isinstance(reference, dict) else None
    return kid if isinstance(kid, str) and kid != "" else None


def is_this_secret(event_arn, secret_id):
    """Events name the primary's ARN; a replica's ARN differs in the region only."""
    if not isinstance(event_arn, str) or ":secret:" not in event_arn:
        return False
    if secret_id.startswith("arn:"):
        # arn:partition:secretsmanager:region:account:secret:name-suffix
        event_parts, own_parts = event_arn.split(":"), secret_id.split(":")
        in_own_region = ":".join(event_parts[:3] + own_parts[3:4] + event_parts[4:])
        return secret_id in (in_own_region, in_own_region[:-7])
    name = event_arn.split(":secret:", 1)[1]
    return len(name) == len(secret_id) + 7 and name.startswith(secret_id + "-")


def find_key(snapshot, kid, retired_kids=()):
    """A legacy key answers to a token without kid, and only to it; every other key to its kid."""
    for key in (snapshot.current, snapshot.previous):
        if key is None or key.kid in retired_kids:
            continue
        if kid is None and key.legacy is not None:
            return key
        if kid is not None and key.legacy is None and key.kid == kid:
            return key
    return None


# -- compact JWS, strictly -------------------------------------------------------------------


def decode_header(token):
    """The protected header, once the token's form is checked: no key is used yet."""
    if not isinstance(token, str):
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: not a string")
    if len(token) > MAX_TOKEN_BYTES:
        raise KeyRingError("ERR_JWT_TOO_LARGE", f"the token is longer than {MAX_TOKEN_BYTES} bytes")
    parts = token.split(".")
    if len(parts) != 3:
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: not three parts")
    decoded = [canonical_base64url(part) for part in parts]
    if any(part is None for part in decoded):
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: a part is not canonical base64url")
    if len(decoded[0]) == 0:
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: empty header or signature")
    try:
        header = json.loads(decoded[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        header = None
    if not isinstance(header, dict):
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: the header is not a JSON object")
    alg = header.get("alg")
    if isinstance(alg, str) and alg.lower() == "none":
        # An unsecured token is a forgery anyone can make: refused for its algorithm (and so
        # counted as suspicious), signed or not, before any key is chosen.
        raise KeyRingError("ERR_JWT_ALG_NOT_ALLOWED", f"unsecured tokens are never accepted: {alg!r}")
    if len(decoded[2]) == 0:
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: empty header or signature")
    if not isinstance(header.get("alg"), str) or header["alg"] == "":
        raise KeyRingError("ERR_JWT_MALFORMED", "malformed token: the header has no alg")
    if "crit" in header:
        raise KeyRingError("ERR_JWT_CRIT_UNSUPPORTED", "critical header extensions: none supported")
    typ = header.get("typ")
    if typ is not None and not (isinstance(typ, str) and typ.lower() in ("jwt", "application/jwt")):
        raise KeyRingError("ERR_JWT_TYP_INVALID", f"typ must be JWT, got {typ!r}")
    return header


def canonical_base64url(text):
    """The bytes of canonical unpadded base64url text (re-encoding gives it back), else None."""
    if not BASE64URL.match(text) or len(text) % 4 == 1:
        return None
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if base64.urlsafe_b64encode(data).rstrip(b"=").decode() == text else None


def parse_iso_utc(text):
    match = ISO_8601_UTC.match(text)
    if match is None:
        return None
    try:
        whole = calendar.timegm(datetime(*map(int, match.groups()[:6])).timetuple())
    except ValueError:
        return None
    # JavaScript's Date.parse keeps milliseconds: the grace end is exact to the millisecond.
    fraction = match.group(7)
    return whole + (int(fraction[1:4].ljust(3, "0")) / 1000 if fraction else 0)


def iso(epoch_seconds):
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).isoformat().replace("+00:00", "Z")


def is_kid(value):
    return isinstance(value, str) and 0 < len(value) <= MAX_KID_LENGTH


def is_whole_seconds(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**53 - 1


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def names_audience(aud, expected):
    allowed = [expected] if isinstance(expected, str) else list(expected)
    if isinstance(aud, str):
        return aud in allowed
    return isinstance(aud, list) and any(value in allowed for value in aud if isinstance(value, str))


# -- command line ------------------------------------------------------------------------------


def main(argv):
    """
    sign '<claims JSON>': prints the token. verify <token>...: prints one JSON line per token,
    {"payload", "kid", "stage", "legacy"} or {"code", "message"}; exit status 1 if any is refused.
    Environment: JWT_SECRET_ID, AWS_ENDPOINT_URL_SECRETS_MANAGER (optional), the AWS region and
    credentials as boto3 reads them, and JWT_EXAMPLE_NOW (epoch seconds) to set the clock.
    """
    if len(argv) < 2 or argv[0] not in ("sign", "verify") or (argv[0] == "sign" and len(argv) != 2):
        print("usage: rotating_jwt_keys.py sign '<claims JSON>' | verify <token>...", file=sys.stderr)
        return 2
    now = os.environ.get("JWT_EXAMPLE_NOW")
    client = boto3.client(
        "secretsmanager",
        # Older boto3 (Debian's) does not read the service-specific endpoint variable itself.
        endpoint_url=os.environ.get("AWS_ENDPOINT_URL_SECRETS_MANAGER") or None,
    )
    ring = KeyRing(
        secret_id=os.environ["JWT_SECRET_ID"],
        client=client,
        clock=(lambda: float(now)) if now else time.time,
        issuer=os.environ.get("JWT_ISSUER"),
        audience=os.environ.get("JWT_AUDIENCE"),
    )
    if argv[0] == "sign":
        try:
            print(ring.sign(json.loads(argv[1])))
        except KeyRingError as error:
            print(json.dumps({"code": error.code, "message": str(error)}), file=sys.stderr)
            return 1
        return 0
    status = 0
    for token in argv[1:]:
        try:
            verified = ring.verify(token)
            outcome = {"payload": verified.payload, "kid": verified.kid,
                       "stage": verified.stage, "legacy": verified.legacy}
        except KeyRingError as error:
            outcome, status = {"code": error.code, "message": str(error)}, 1
        print(json.dumps(outcome))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
