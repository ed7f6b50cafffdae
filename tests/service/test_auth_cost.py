"""API keys cannot be enumerated by timing, and wrong keys cannot exhaust the server (issue 15)."""

from __future__ import annotations

import statistics
import threading
import time

import pytest

from priorauth.service import auth
from priorauth.service.auth import ApiKey, AuthError, KeyRing, hash_token, new_token


def _median_seconds(ring: KeyRing, header: str, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        with pytest.raises(AuthError):
            ring.authenticate(header)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_and_known_key_ids_cost_the_same() -> None:
    token = new_token("clinic-a")
    ring = KeyRing([ApiKey("clinic-a", hash_token(token, "scrypt"))])
    known = _median_seconds(ring, "Bearer clinic-a.wrong-secret-xxxxxxxxxxxxxxxx")
    unknown = _median_seconds(ring, "Bearer clinic-z.wrong-secret-xxxxxxxxxxxxxxxx")
    assert 0.5 < unknown / known < 2, (known, unknown)


def test_a_verified_key_is_not_hashed_again() -> None:
    token = new_token("clinic-a")
    ring = KeyRing([ApiKey("clinic-a", hash_token(token, "scrypt"))])
    assert ring.authenticate(f"Bearer {token}") == "clinic-a"
    start = time.perf_counter()
    for _ in range(100):
        assert ring.authenticate(f"Bearer {token}") == "clinic-a"
    assert time.perf_counter() - start < 0.05


def test_scrypt_verifications_in_flight_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    token = new_token("clinic-a")
    ring = KeyRing([ApiKey("clinic-a", hash_token(token, "scrypt"))])
    active = peak = 0
    lock = threading.Lock()
    real = ApiKey.matches

    def counting(self: ApiKey, text: str) -> bool:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        try:
            return real(self, text)
        finally:
            with lock:
                active -= 1

    monkeypatch.setattr(ApiKey, "matches", counting)
    statuses: list[int] = []

    def attack(i: int) -> None:
        try:
            ring.authenticate(f"Bearer clinic-a.wrong-{i}")
        except AuthError as exc:
            statuses.append(exc.status)

    threads = [threading.Thread(target=attack, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak <= auth.MAX_VERIFYING
    assert set(statuses) <= {403, 429}
    assert ring.authenticate(f"Bearer {token}") == "clinic-a"
