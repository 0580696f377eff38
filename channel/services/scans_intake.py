"""Taking in code scans from outside (the JSON API's scanners, the `code_scans` import) without
storing one scan twice.

`code_scan` has no client-supplied id, so a scan is known by its natural key: the scanned text,
the district and the moment (`scanned_at`, naive UTC, to the second). Sending the same scan
again (a retry after a timeout, a re-imported file) finds the stored row and stores nothing.
Storing goes through `channel.services.conflicts_cases.record_scans`, which binds each scan to
the shipment its code came from and runs the conflict rules on it in the same transaction.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from channel.services.conflicts_cases import ScanInput, record_scans
from models import db
from models.conflicts import CodeScan

IN_CHUNK = 500


def utc_naive(moment: datetime) -> datetime:
    """`moment` as naive UTC to the second (an aware time is converted; a naive one is UTC)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def scan_key(scan: ScanInput) -> tuple[str, int, datetime]:
    return (scan.code, scan.district_id, utc_naive(scan.scanned_at))


def stored_scans(keys: list[tuple[str, int, datetime]]) -> dict[tuple[str, int, datetime], int]:
    """{natural key: scan id} of the keys already stored."""
    found: dict[tuple[str, int, datetime], int] = {}
    wanted = set(keys)
    codes = sorted({k[0] for k in keys})
    for start in range(0, len(codes), IN_CHUNK):
        for scan_id, code, district, at in db.session.execute(
                select(CodeScan.id, CodeScan.code_text, CodeScan.district_id, CodeScan.scanned_at)
                .where(CodeScan.code_text.in_(codes[start:start + IN_CHUNK]))):
            key = (code, district, at.replace(microsecond=0))
            if key in wanted:
                found.setdefault(key, scan_id)
    return found


def take_scans(scans: list[ScanInput], commit: bool = True) -> tuple[list[int], int]:
    """Store the scans not stored yet (and run the conflict rules on them). Returns the scan id
    of every input, in order (a repeated or stored scan gives the stored id), and how many were
    stored now. Raises DomainError (from `record_scans`) for a bad scanner kind or district."""
    scans = [ScanInput(s.code, s.district_id, utc_naive(s.scanned_at), s.scanner_kind, s.scanned_by) for s in scans]
    keys = [scan_key(s) for s in scans]
    ids = stored_scans(keys)
    new, seen = [], set()
    for scan, key in zip(scans, keys):
        if key not in ids and key not in seen:
            seen.add(key)
            new.append(scan)
    if new:
        for scan, scan_id in zip(new, record_scans(new, detect=True, commit=False)):
            ids[scan_key(scan)] = scan_id
    if commit:
        db.session.commit()
    return [ids[k] for k in keys], len(new)
