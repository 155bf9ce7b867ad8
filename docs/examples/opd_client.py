#!/usr/bin/env python3
"""An OPD's client of the SILAKSO API, with nothing but the standard library.

    python3 opd_client.py sync   https://silakso.example.go.id slk_…   # households changed since last time
    python3 opd_client.py check  https://silakso.example.go.id slk_… penerima.csv   # our list of NIKs

`sync` pages with the cursor and keeps `sync_from` in opd-sync-state.json, so the next run asks
only for what changed since (nothing skipped, nothing twice: docs/api.md, "Keeping a copy in
step"). `check` sends the NIKs of a CSV (column `nik`) in lists of 1,000 and prints, for each,
whether the person is in the key's area, their desil and the programs they receive now.

The key needs scope `registry:read`. Errors come back as {code, detail, fields}; a 429 carries
Retry-After, which this client honours.
"""

import csv
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

STATE = Path("opd-sync-state.json")


def call(base: str, key: str, path: str, body: dict | None = None) -> dict:
    """One request; waits and tries again when told to (429 with Retry-After)."""
    url = path if path.startswith("http") else base.rstrip("/") + path
    data = json.dumps(body).encode() if body is not None else None
    for _attempt in range(5):
        request = urllib.request.Request(
            url,
            data=data,
            method="POST" if data is not None else "GET",
            headers={
                "Authorization": "Bearer " + key,
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Accept-Language": "id",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.load(answer)
        except urllib.error.HTTPError as error:
            problem = (
                json.load(error) if error.headers.get_content_type() == "application/json" else {}
            )
            if error.code == 429:
                time.sleep(min(int(error.headers.get("Retry-After", "60")), 300))
                continue
            raise SystemExit(
                "HTTP {}: {} {}".format(
                    error.code, problem.get("detail", ""), problem.get("fields", "")
                )
            ) from error
    raise SystemExit("gave up after 5 tries")


def sync(base: str, key: str) -> int:
    since = json.loads(STATE.read_text())["sync_from"] if STATE.exists() else "2000-01-01T00:00:00Z"
    query = urllib.parse.urlencode({"updated_since": since, "page_size": 200})
    page = call(base, key, "/api/v1/households/?" + query)
    received = 0
    while True:
        for household in page["results"]:
            received += 1
            print(household["id"], household["village"], household["desil"], household["version"])
        if not page["next"]:
            break
        page = call(base, key, page["next"])
    STATE.write_text(json.dumps({"sync_from": page["sync_from"]}))
    return received


def check(base: str, key: str, path: str) -> int:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        niks = [row["nik"].strip() for row in csv.DictReader(handle) if row.get("nik")]
    for start in range(0, len(niks), 1000):
        answer = call(
            base, key, "/api/v1/individuals/lookup/", {"niks": niks[start : start + 1000]}
        )
        for row in answer["results"]:
            if row["found"]:
                print(
                    row["nik"],
                    "found",
                    row["name"],
                    "desil",
                    row["desil"],
                    ",".join(row["programs"]) or "-",
                )
            else:
                print(row["nik"], "not in our area")
    return len(niks)


if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("sync", "check"):
        raise SystemExit(__doc__)
    command, base, key = sys.argv[1:4]
    count = sync(base, key) if command == "sync" else check(base, key, sys.argv[4])
    print("{} done: {}".format(command, count), file=sys.stderr)
