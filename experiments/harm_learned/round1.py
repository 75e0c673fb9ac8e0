"""The round-1 lists' verdict on each narrative of sets c and d, for the cross-writer test.

Run with the round-1 code first on the path (see README.md). Reads the `firstcontact harm
scan` output (the lists at possible or likely) and adds, per narrative, every harm type the
lists found any evidence of (below possible too), which the "gated" rule needs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from firstcontact.harm import policy, scanner


def main(inputs: Path, scanned: Path, out: Path) -> None:
    print(f"scanner from {scanner.__file__}", file=sys.stderr)
    lists = policy.scanner()
    raised = {}
    for line in scanned.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        raised[record["id"]] = sorted(harm["type"] for harm in record["harms"])
    with out.open("w", encoding="utf-8") as sink:
        for line in inputs.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            findings = lists.assess(record["text"])
            at_possible = sorted(f.harm_type for f in findings if f.level.value != "none")
            if at_possible != raised[record["id"]]:
                raise SystemExit(f"{record['id']}: the CLI and assess disagree")
            sink.write(json.dumps({"id": record["id"], "raised": at_possible,
                                   "any_evidence": sorted(f.harm_type for f in findings)})
                       + "\n")


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:4]))
