from __future__ import annotations

import hashlib

import pytest

from priorauth.service.auth import (
    ApiKey,
    AuthError,
    KeyRing,
    hash_token,
    new_token,
    parse_key_spec,
    parse_keys_env,
)


def test_sha256_hash_is_the_hex_digest_of_the_token():
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()


def test_scrypt_hash_is_salted_and_verifies():
    first, second = hash_token("tok.en", "scrypt"), hash_token("tok.en", "scrypt")
    assert first.startswith("scrypt$16384$8$1$")
    assert first != second  # a fresh salt each time
    assert ApiKey("k", first).matches("tok.en")
    assert not ApiKey("k", first).matches("tok.eN")


def test_new_token_carries_the_key_id_and_256_bits():
    token = new_token("clinic-a")
    key_id, _, secret = token.partition(".")
    assert key_id == "clinic-a"
    assert len(secret) >= 43


@pytest.mark.parametrize("bad", ["has space", "dots.not.allowed", "", "x" * 65])
def test_key_ids_are_restricted(bad):
    with pytest.raises(ValueError, match="must match"):
        new_token(bad)


def test_keys_env_format():
    keys = parse_keys_env(f" a:{hash_token('a.1')} ,b:{hash_token('x', 'scrypt')},")
    assert [k.key_id for k in keys] == ["a", "b"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [("nocolon", "not KEY_ID:HASH"), ("a:1234", "64 lowercase hex"), ("a b:" + "0" * 64, "match")],
)
def test_bad_key_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        parse_key_spec(spec)


@pytest.fixture
def ring():
    return KeyRing(
        [
            ApiKey("clinic-a", hash_token("clinic-a.secret")),
            ApiKey("scrypted", hash_token("scrypted.secret2", "scrypt")),
            ApiKey("opaque", hash_token("an-opaque-token-without-id")),
            ApiKey("gone", hash_token("gone.old"), revoked=True),
        ]
    )


@pytest.mark.parametrize(
    ("header", "key_id"),
    [
        ("Bearer clinic-a.secret", "clinic-a"),
        ("bearer   clinic-a.secret  ", "clinic-a"),
        ("Bearer scrypted.secret2", "scrypted"),
        ("Bearer an-opaque-token-without-id", "opaque"),
    ],
)
def test_valid_tokens_give_the_key_id(ring, header, key_id):
    assert ring.authenticate(header) == key_id


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer a b", "Bearer é"])
def test_missing_or_malformed_header_is_401(ring, header):
    with pytest.raises(AuthError) as info:
        ring.authenticate(header)
    assert info.value.status == 401


@pytest.mark.parametrize(
    "token", ["clinic-a.wrong", "unknown.secret", "no-such-token", "scrypted.secret"]
)
def test_unknown_token_is_403(ring, token):
    with pytest.raises(AuthError) as info:
        ring.authenticate(f"Bearer {token}")
    assert info.value.status == 403
    assert "not recognised" in info.value.message


def test_revoked_key_is_403_and_says_so(ring):
    with pytest.raises(AuthError, match="revoked") as info:
        ring.authenticate("Bearer gone.old")
    assert info.value.status == 403


def test_comparisons_are_constant_time(monkeypatch, ring):
    import hmac

    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("priorauth.service.auth.hmac.compare_digest", spy)
    ring.authenticate("Bearer clinic-a.secret")
    with pytest.raises(AuthError):
        ring.authenticate("Bearer nobody.secret")
    assert len(calls) >= 2
