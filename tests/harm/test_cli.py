"""`firstcontact harm scan`: the JSON-lines contract the evaluation relies on, run as a process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

COMMAND = [str(Path(sys.executable).parent / "firstcontact"), "harm", "scan"]


def scan(stdin: bytes) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(COMMAND, input=stdin, capture_output=True, timeout=60, check=False)
    return done.returncode, [json.loads(line) for line in done.stdout.decode().splitlines()]


def test_one_line_out_per_line_in_with_types_levels_scores_and_spans() -> None:
    text = "My boss keeps my passport.\nHe said he will kill me if I leave."
    lines = [json.dumps({"id": "c1", "text": text}),
             json.dumps({"id": "c2", "text": "I lost my passport at the passport office"})]
    code, out = scan(("\n".join(lines) + "\n").encode())
    assert code == 0
    first, second = out
    assert first["id"] == "c1" and second == {"id": "c2", "harms": []}
    found = {h["type"]: h for h in first["harms"]}
    assert set(found) == {"modern_slavery", "domestic_abuse"}
    for harm in found.values():
        assert harm["level"] in {"possible", "likely"} and isinstance(harm["score"], float)
        for e in harm["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]
            assert set(e) == {"indicator", "start", "end", "text"}


def test_a_malformed_line_gets_an_error_object_and_the_rest_still_run() -> None:
    stdin = b'not json\n{"id": "x"}\n[1, 2]\n{"text": "hi"}\n\xff\xfe{"id": 1}\n' \
            b'{"id": "ok", "text": "he strangled me"}\n'
    code, out = scan(stdin)
    assert code == 0
    assert [o.get("error") is not None for o in out] == [True, True, True, True, True, False]
    assert out[0] == {"id": None, "line": 1, "error": "not JSON: Expecting value"}
    assert out[1] == {"id": "x", "line": 2, "error": "text: must be a string"}
    assert out[3]["error"] == "id: must be a string"
    assert out[5]["id"] == "ok" and out[5]["harms"]
