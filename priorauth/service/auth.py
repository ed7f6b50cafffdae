"""API keys: bearer tokens checked against hashes, never stored in clear.

A key is configured as ``KEY_ID:HASH`` (environment ``PRIORAUTH_API_KEYS="clinic-a:9f86...,b:..."``
or ``[[keys]]`` in the config file). ``HASH`` is either

* 64 hex digits: the SHA-256 of the whole token (fine for random, high-entropy tokens), or
* ``scrypt$N$r$p$SALT_HEX$HASH_HEX``: scrypt with a per-key salt.

Tokens made by :func:`new_token` look like ``KEY_ID.SECRET``, so the key is found by its id
without trying every hash; a token without a known id prefix is compared against every SHA-256
key. Every comparison uses :func:`hmac.compare_digest`, and an unknown key id costs the same hash
as a known one (a scrypt of the configured parameters when any key uses scrypt), so response
times say nothing about which ids exist.

Bounded cost (issue 15): a token verified once is remembered by its SHA-256 (at most
``CACHE_SIZE`` tokens), so a legitimate client pays for scrypt once, and at most
``MAX_VERIFYING`` scrypt verifications run at a time; a request that waits longer than
``VERIFY_WAIT`` seconds for one gets 429, so a flood of wrong keys cannot take every thread and
the memory scrypt needs.

>>> token = "clinic-a.s3cret"
>>> ring = KeyRing((ApiKey("clinic-a", hash_token(token)),))
>>> ring.authenticate(f"Bearer {token}")
'clinic-a'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ApiKey",
    "AuthError",
    "KeyRing",
    "hash_token",
    "new_token",
    "parse_key_spec",
    "parse_keys_env",
]

KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SCRYPT = re.compile(r"scrypt\$(\d+)\$(\d+)\$(\d+)\$([0-9a-f]{16,128})\$([0-9a-f]{32,128})")
_DUMMY = hashlib.sha256(b"priorauth: no such key").hexdigest()

Scheme = Literal["sha256", "scrypt"]


class AuthError(Exception):
    """The request could not be authenticated (401), the key is not allowed (403), or too many
    verifications are in flight (429)."""

    def __init__(self, status: Literal[401, 403, 429], message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class ApiKey:
    """One configured key: its public id and the hash of its token."""

    key_id: str
    digest: str
    revoked: bool = False

    def __post_init__(self) -> None:
        if not KEY_ID.fullmatch(self.key_id):
            raise ValueError(f"API key id {self.key_id!r} must match [A-Za-z0-9_-]{{1,64}}")
        if not (_SHA256.fullmatch(self.digest) or _SCRYPT.fullmatch(self.digest)):
            raise ValueError(
                f"API key {self.key_id!r}: hash must be 64 lowercase hex digits (SHA-256) or "
                "scrypt$N$r$p$SALT$HASH; make one with `priorauth serve --hash-key ID`"
            )

    def matches(self, token: str) -> bool:
        """Whether ``token`` hashes to this key's digest (constant-time comparison)."""
        match = _SCRYPT.fullmatch(self.digest)
        if match is None:
            actual = hashlib.sha256(token.encode()).hexdigest()
            return hmac.compare_digest(actual, self.digest)
        n, r, p, salt, expected = match.groups()
        actual = _scrypt(token, bytes.fromhex(salt), int(n), int(r), int(p), len(expected) // 2)
        return hmac.compare_digest(actual, expected)


def _scrypt(token: str, salt: bytes, n: int, r: int, p: int, length: int) -> str:
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        token.encode(), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=maxmem
    ).hex()


def hash_token(token: str, scheme: Scheme = "sha256") -> str:
    """The configuration hash of ``token``: SHA-256 hex, or a salted scrypt string."""
    if scheme == "sha256":
        return hashlib.sha256(token.encode()).hexdigest()
    salt = secrets.token_bytes(16)
    n, r, p = 2**14, 8, 1
    return f"scrypt${n}${r}${p}${salt.hex()}${_scrypt(token, salt, n, r, p, 32)}"


def new_token(key_id: str) -> str:
    """A fresh random token ``KEY_ID.SECRET`` (256 bits of secret)."""
    if not KEY_ID.fullmatch(key_id):
        raise ValueError(f"key id {key_id!r} must match [A-Za-z0-9_-]{{1,64}}")
    return f"{key_id}.{secrets.token_urlsafe(32)}"


def parse_key_spec(spec: str) -> ApiKey:
    """``"KEY_ID:HASH"`` → :class:`ApiKey` (raises ``ValueError`` naming the problem)."""
    key_id, sep, digest = spec.strip().partition(":")
    if not sep:
        raise ValueError(f"API key entry {key_id[:64]!r} is not KEY_ID:HASH")
    return ApiKey(key_id, digest.strip().lower())


def parse_keys_env(value: str) -> tuple[ApiKey, ...]:
    """``"a:HASH,b:HASH"`` (the ``PRIORAUTH_API_KEYS`` format) → keys."""
    return tuple(parse_key_spec(part) for part in value.split(",") if part.strip())


CACHE_SIZE = 4096
MAX_VERIFYING = 2
VERIFY_WAIT = 2.0


class KeyRing:
    """The configured keys; turns an ``Authorization`` header into a key id."""

    def __init__(self, keys: Iterable[ApiKey]) -> None:
        self._by_id = {key.key_id: key for key in keys}
        self._sha256 = tuple(k for k in self._by_id.values() if _SHA256.fullmatch(k.digest))
        self._dummy = _dummy_like(self._by_id.values())
        self._verified: OrderedDict[str, ApiKey] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_VERIFYING)

    def __len__(self) -> int:
        return len(self._by_id)

    def authenticate(self, authorization: str | None) -> str:
        """The key id for this header; :class:`AuthError` 401 (missing/malformed) or 403."""
        token = _bearer_token(authorization)
        key = self._find(token)
        if key is None:
            raise AuthError(403, "the API key is not recognised")
        if key.revoked:
            raise AuthError(403, f"API key {key.key_id!r} has been revoked")
        return key.key_id

    def _find(self, token: str) -> ApiKey | None:
        fingerprint = hashlib.sha256(token.encode()).hexdigest()
        with self._lock:
            cached = self._verified.get(fingerprint)
            if cached is not None:
                self._verified.move_to_end(fingerprint)
                return cached
        found = self._verify(token)
        if found is not None:
            with self._lock:
                self._verified[fingerprint] = found
                if len(self._verified) > CACHE_SIZE:
                    self._verified.popitem(last=False)
        return found

    def _verify(self, token: str) -> ApiKey | None:
        prefix, dot, _ = token.partition(".")
        if dot:  # a known id and an unknown one cost the same hash
            key = self._by_id.get(prefix)
            matched = self._matches(key or self._dummy, token)
            if key is not None:
                return key if matched else None
        found = None
        for candidate in self._sha256:  # no early exit: the same work whichever key matches
            if candidate.matches(token) and found is None:
                found = candidate
        return found

    def _matches(self, key: ApiKey, token: str) -> bool:
        """``key.matches(token)``, with at most MAX_VERIFYING scrypt hashes at a time."""
        if not _SCRYPT.fullmatch(key.digest):
            return key.matches(token)
        if not self._slots.acquire(timeout=VERIFY_WAIT):
            raise AuthError(429, "too many API key verifications in flight; retry shortly")
        try:
            return key.matches(token)
        finally:
            self._slots.release()


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthError(401, "missing Authorization header; send 'Authorization: Bearer <API key>'")
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or not _TOKEN.fullmatch(token):
        raise AuthError(401, "malformed Authorization header; expected 'Bearer <API key>'")
    return token


def _dummy_like(keys: Iterable[ApiKey]) -> ApiKey:
    """A key no token matches, hashed like the most expensive configured key."""
    for key in keys:
        match = _SCRYPT.fullmatch(key.digest)
        if match is not None:
            n, r, p, salt, expected = match.groups()
            digest = f"scrypt${n}${r}${p}${secrets.token_hex(len(salt) // 2)}${'0' * len(expected)}"
            return ApiKey("no-such-key", digest)
    return ApiKey("no-such-key", _DUMMY)
