"""Request paths cannot forge server log lines or send terminal escapes (issue 15)."""

from __future__ import annotations

import time

from .conftest import Server


def test_control_characters_in_a_path_are_escaped_in_the_log(server: Server) -> None:
    with server.client() as client:
        client.get("/nothing%0AINFO:%20forged%20line%1b%5B2J%0D%E2%80%A8")
    time.sleep(0.5)
    log = server.log.read_bytes()
    assert b"\x1b" not in log
    assert not any(line.startswith(b"INFO: forged") for line in log.splitlines())
    assert b"path=/nothing\\nINFO: forged line\\x1b[2J\\r\\u2028" in log
