#!/usr/bin/env python3
"""Post backup job results from a CSV log to Resilis (D2.O3.D supervision as data). Standard library only.

Run it after each backup job, or from cron over the backup tool's export:

    RESILIS_TOKEN=rsl_… python3 scripts/post_backup_jobs.py jobs.csv \\
        --url https://resilis.example.org --organization ch-valmont

The CSV has a header row; the columns (``;`` or ``,`` separated, UTF-8, with or without BOM):

    system       the system's exact name in Resilis (or ``resource``: its id)
    finished_at  ISO 8601 date and time, e.g. 2026-03-02T02:15:00+01:00
    status       success / failure (also ok / ko, true / false, 1 / 0, succès / échec)
    size_bytes   optional
    target       optional: where the copy went (library, bucket, site)
    message      optional

Each row is one ``POST /api/v1/o/<organization>/backup-jobs/``. The script prints one line per row and exits
with 1 if any row was refused (400), 2 if the token is refused (401/403/404).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

SUCCESS = {"success", "ok", "true", "1", "succès", "succes", "réussi", "reussi", "yes", "oui"}
FAILURE = {"failure", "ko", "false", "0", "échec", "echec", "failed", "error", "erreur", "no", "non"}


def row_payload(row: dict[str, str]) -> dict[str, Any]:
    status = (row.get("status") or "").strip().lower()
    if status not in SUCCESS | FAILURE:
        raise ValueError(f"unknown status {status!r}")
    payload: dict[str, Any] = {"finished_at": (row.get("finished_at") or "").strip(), "success": status in SUCCESS}
    if (row.get("resource") or "").strip():
        payload["resource"] = int(row["resource"])
    else:
        payload["system"] = (row.get("system") or "").strip()
    if (row.get("size_bytes") or "").strip():
        payload["size_bytes"] = int(row["size_bytes"])
    for name in ("target", "message"):
        if (row.get(name) or "").strip():
            payload[name] = row[name].strip()
    return payload


def post(url: str, token: str, payload: dict[str, Any], timeout: float) -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) address: {url!r}")
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST", headers={  # noqa: S310
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json",
        "Accept-Language": "fr"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the URL is the operator's
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body or b"null")
        except ValueError:
            return error.code, body.decode(errors="replace")[:300]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_file")
    parser.add_argument("--url", default=os.environ.get("RESILIS_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--organization", default=os.environ.get("RESILIS_ORGANIZATION", ""), required=False)
    parser.add_argument("--token", default=os.environ.get("RESILIS_TOKEN", ""),
                        help="Better given in RESILIS_TOKEN than on the command line.")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    if not args.token or not args.organization:
        parser.error("give the token (RESILIS_TOKEN) and the organization (--organization)")
    endpoint = f"{args.url.rstrip('/')}/api/v1/o/{args.organization}/backup-jobs/"
    refused = 0
    with open(args.csv_file, newline="", encoding="utf-8-sig") as handle:
        sample = handle.read(4096)
        handle.seek(0)
        dialect = csv.Sniffer().sniff(sample, delimiters=";,") if sample.strip() else csv.excel
        for number, row in enumerate(csv.DictReader(handle, dialect=dialect), start=2):
            try:
                payload = row_payload(row)
            except ValueError as error:
                print(f"line {number}: skipped ({error})")
                refused += 1
                continue
            status, body = post(endpoint, args.token, payload, args.timeout)
            if status in (401, 403, 404):
                print(f"line {number}: token refused ({status}): {body}")
                return 2
            if status != 201:
                print(f"line {number}: refused ({status}): {body}")
                refused += 1
                continue
            alert = f", alert #{body['alert']} open" if body.get("alert") else ""
            print(f"line {number}: {payload.get('system') or payload.get('resource')} recorded "
                  f"({body['consecutive_failures']} failure(s) in a row{alert})")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
