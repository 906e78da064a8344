#!/usr/bin/env python3
"""Independent check of a migration: compares a source and a target IMAP account.

Written with nothing but Python's imaplib on purpose, so it shares no code (and no bugs) with
mailferry or with any of the tools it judges. Per folder it compares the message count, the
total size and the multiset of (RFC822.SIZE, sorted flags incl. keywords, INTERNALDATE).

Folders are matched by name with the hierarchy separator translated (source "." -> target "/",
read from each server's LIST), except that a source folder with a SPECIAL-USE attribute
(\\Sent, \\Drafts, ...) is matched to the target folder that has the same attribute.
\\Recent is ignored (it is session state, not mail). INTERNALDATE is compared as an instant:
Dovecot's Maildir keeps it as a file mtime, so the zone a client sent does not survive anyway.
The verdict (OK or not) rests on that multiset alone. To say *why* a folder differs ("lost
$label1", "changed size +22 B"), source and target messages are paired by a hash of their From,
Subject and Message-ID header fields, fetched with the metadata (bodies are never fetched).

Usage as a program:
  imapcheck.py --host 127.0.0.1 --source-port P --source-ca CA --source-user U
               --target-port P2 --target-ca CA2 --target-user U2   (passwords: env
               IMAPCHECK_SOURCE_PASSWORD / IMAPCHECK_TARGET_PASSWORD)
"""
import argparse
import base64
import calendar
import collections
import hashlib
import imaplib
import json
import os
import re
import ssl
import sys
import time

SPECIAL_USE = {"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash"}


def decode_mutf7(name: str) -> str:
    """RFC 3501 modified UTF-7 -> str ("&-" is "&", "&...-" is base64 of UTF-16BE)."""
    out, i = [], 0
    while i < len(name):
        c = name[i]
        if c != "&":
            out.append(c)
            i += 1
            continue
        end = name.index("-", i)
        chunk = name[i + 1:end]
        if chunk == "":
            out.append("&")
        else:
            b64 = chunk.replace(",", "/")
            b64 += "=" * (-len(b64) % 4)
            out.append(base64.b64decode(b64).decode("utf-16-be"))
        i = end + 1
    return "".join(out)


def quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


_LIST = re.compile(rb'\((?P<attrs>[^)]*)\) (?P<sep>NIL|"(?:[^"\\]|\\.)*") (?P<name>.*)$')
_FETCH = re.compile(
    rb'UID (?P<uid>\d+)|RFC822\.SIZE (?P<size>\d+)|FLAGS \((?P<flags>[^)]*)\)|INTERNALDATE "(?P<date>[^"]+)"')
_FETCH_START = re.compile(rb"\d+ \(")
# Header fields that name a message, for telling which source message became which target one.
IDENTITY = "HEADER.FIELDS (FROM SUBJECT MESSAGE-ID)"
_MONTHS = {m: i for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"], start=1)}


def internaldate_epoch(text: str) -> int:
    """'05-Nov-2026 10:15:00 +0100' -> seconds since the epoch (UTC)."""
    date, clock, zone = text.strip().split(" ")
    day, month, year = date.split("-")
    h, m, s = (int(x) for x in clock.split(":"))
    offset = (int(zone[1:3]) * 60 + int(zone[3:5])) * 60 * (1 if zone[0] == "+" else -1)
    return calendar.timegm((int(year), _MONTHS[month], int(day), h, m, s, 0, 0, 0)) - offset


def connect(host, port, cafile, user, password):
    context = ssl.create_default_context(cafile=cafile)
    conn = imaplib.IMAP4_SSL(host, port, ssl_context=context)
    conn.login(user, password)
    return conn


def snapshot(host, port, cafile, user, password):
    """{'sep': sep, 'folders': {raw name: {'name': decoded, 'path': [parts], 'special': attr|None,
    'selectable': bool, 'messages': [(size, flags, epoch, identity), ...]}}}"""
    conn = connect(host, port, cafile, user, password)
    try:
        typ, lines = conn.list('""', "*")
        assert typ == "OK", lines
        folders, sep = {}, "/"
        for line in lines:
            if isinstance(line, tuple):  # name sent as a literal
                head, literal = line
                line = head[: head.rfind(b"{")] + b'"' + literal + b'"'
            m = _LIST.match(line)
            if not m:
                raise RuntimeError(f"unparsed LIST line {line!r}")
            attrs = m["attrs"].decode().split()
            sep = m["sep"].decode().strip('"').replace("\\\\", "\\") if m["sep"] != b"NIL" else ""
            raw = m["name"].decode()
            if raw.startswith('"'):
                raw = raw[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            lowered = {a.lower() for a in attrs}
            special = next((a for a in attrs if a in SPECIAL_USE), None)
            name = decode_mutf7(raw)
            folders[raw] = {"name": name, "path": name.split(sep) if sep else [name], "special": special,
                            "selectable": not ({"\\noselect", "\\nonexistent"} & lowered), "messages": []}
        for raw, folder in folders.items():
            if not folder["selectable"]:
                continue
            typ, data = conn.select(quote(raw), readonly=True)
            if typ != "OK":
                raise RuntimeError(f"EXAMINE {raw}: {data}")
            if int(data[0]) == 0:
                continue
            # The header fields only name each message (see compare): sizes, flags and dates
            # are what is judged.
            typ, data = conn.uid("FETCH", "1:*", f"(RFC822.SIZE FLAGS INTERNALDATE BODY.PEEK[{IDENTITY}])")
            if typ != "OK":
                raise RuntimeError(f"FETCH {raw}: {data}")
            records = []  # [meta bytes, literal bytes]
            for item in data:
                if isinstance(item, tuple):
                    records.append([item[0], item[1]])
                elif item and records and not _FETCH_START.match(item):
                    records[-1][0] += item  # items the server sent after the literal
                elif item:
                    records.append([item, b""])
            for meta, literal in records:
                fields = {}
                for fm in _FETCH.finditer(meta):
                    for key, value in fm.groupdict().items():
                        if value is not None:
                            fields[key] = value.decode()
                flags = tuple(sorted(f for f in fields.get("flags", "").split() if f != "\\Recent"))
                identity = hashlib.sha1(literal).hexdigest()[:16] if literal.strip() else None
                folder["messages"].append((int(fields["size"]), flags, internaldate_epoch(fields["date"]), identity))
            conn.close()
        return {"sep": sep, "folders": folders}
    finally:
        try:
            conn.logout()
        except Exception:
            pass


def totals(snap):
    count = sum(len(f["messages"]) for f in snap["folders"].values())
    size = sum(m[0] for f in snap["folders"].values() for m in f["messages"])
    return count, size


def _match_folders(source, target):
    """Pairs each selectable source folder with a target folder (by special-use, else by path)."""
    by_path = {tuple(f["path"]): raw for raw, f in target["folders"].items()}
    by_special = {f["special"]: raw for raw, f in target["folders"].items() if f["special"]}
    pairs = []
    for raw, folder in sorted(source["folders"].items(), key=lambda kv: kv[1]["name"]):
        if not folder["selectable"]:
            continue
        match = None
        if folder["special"] and folder["special"] in by_special:
            match = by_special[folder["special"]]
        elif tuple(folder["path"]) in by_path:
            match = by_path[tuple(folder["path"])]
        pairs.append((raw, match))
    return pairs


def compare(source, target):
    """Returns {'ok': bool, 'summary': one line, 'folders': {name: [differences]}, 'notes': [...]}."""
    differences = collections.OrderedDict()
    tally = collections.Counter()  # what kind of difference, across all folders
    used = set()
    for src_raw, tgt_raw in _match_folders(source, target):
        src = source["folders"][src_raw]
        name = "/".join(src["path"])
        if tgt_raw is None:
            if src["messages"]:
                differences[name] = [f"folder missing on target ({len(src['messages'])} messages)"]
                tally["folders missing"] += 1
                tally["messages missing"] += len(src["messages"])
            else:
                differences[name] = ["empty folder missing on target"]
                tally["empty folders missing"] += 1
            continue
        used.add(tgt_raw)
        tgt = target["folders"][tgt_raw]
        problems = []
        a, b = src["messages"], tgt["messages"]
        if len(a) != len(b):
            problems.append(f"count {len(a)} != {len(b)}")
        sa, sb = sum(m[0] for m in a), sum(m[0] for m in b)
        if sa != sb:
            problems.append(f"bytes {sa} != {sb}")
        judged_a = collections.Counter(m[:3] for m in a)
        judged_b = collections.Counter(m[:3] for m in b)
        if judged_a != judged_b:
            problems += _explain(a, b, tally)
        if problems:
            differences[name] = problems
    notes = []
    for raw, folder in target["folders"].items():
        if raw in used or not folder["selectable"]:
            continue
        label = "/".join(folder["path"])
        if folder["messages"]:
            differences[label] = [f"extra folder on target with {len(folder['messages'])} messages"]
            tally["extra folders"] += 1
        elif not _is_parent_of_any(folder["path"], source):
            notes.append(f"extra empty folder on target: {label}")
    ok = not differences
    summary = "OK" if ok else "; ".join(f"{k} {v}" for k, v in sorted(tally.items(), key=lambda kv: -kv[1]))
    return {"ok": ok, "summary": summary or "differences (see details)", "folders": differences, "notes": notes}


def _is_parent_of_any(path, snap):
    return any(f["path"][: len(path)] == path and len(f["path"]) > len(path) for f in snap["folders"].values())


def _explain(src_msgs, tgt_msgs, tally):
    """Says why two folders differ. Source and target messages are paired by identity (a hash of
    From, Subject and Message-ID, which no tool here rewrites) and each pair's size, flags and
    date are compared. Messages without a partner by identity are paired by what is left of
    their (size, flags, date): same size and date (flags differ), same date (size changed), same
    size and flags (INTERNALDATE changed); whatever remains is missing or extra."""
    problems = []
    src_left, tgt_left = list(src_msgs), list(tgt_msgs)

    def pair(key):
        """Pairs equal keys; among several candidates the one closest in size."""
        nonlocal src_left, tgt_left
        pool = collections.defaultdict(list)
        for m in tgt_left:
            pool[key(m)].append(m)
        pairs, rest = [], []
        for m in src_left:
            candidates = pool.get(key(m))
            if candidates:
                best = min(range(len(candidates)), key=lambda i: abs(candidates[i][0] - m[0]))
                pairs.append((m, candidates.pop(best)))
            else:
                rest.append(m)
        src_left, tgt_left = rest, [m for ms in pool.values() for m in ms]
        return pairs

    pairs = pair(lambda m: m[3] or object())  # no identity: never equal
    pairs += pair(lambda m: m[:3])
    pairs += pair(lambda m: (m[0], m[2]))
    pairs += pair(lambda m: m[2])
    pairs += pair(lambda m: (m[0], m[1]))

    flag_diff, growth, shifts = collections.Counter(), collections.Counter(), collections.Counter()
    for s, t in pairs:
        for f in set(s[1]) - set(t[1]):
            flag_diff[f"lost {f}"] += 1
        for f in set(t[1]) - set(s[1]):
            flag_diff[f"added {f}"] += 1
        if s[0] != t[0]:
            growth[t[0] - s[0]] += 1
        if s[2] != t[2]:
            shifts[t[2] - s[2]] += 1
    for reason, n in sorted(flag_diff.items()):
        problems.append(f"{n} messages {reason}")
        tally[f"flag {reason.split()[1]} {reason.split()[0]}"] += n
    if growth:
        n = sum(growth.values())
        example = ", ".join(f"{d:+d} B" for d, _ in growth.most_common(2))
        problems.append(f"{n} messages changed size ({example})")
        tally[f"size changed (mostly {growth.most_common(1)[0][0]:+d} B)"] += n
    if shifts:
        n = sum(shifts.values())
        example = ", ".join(f"{s:+d} s" for s, _ in shifts.most_common(2))
        problems.append(f"{n} messages with another INTERNALDATE ({example})")
        tally["INTERNALDATE differs"] += n
    if src_left:
        problems.append(f"{len(src_left)} messages missing (sizes {sorted(m[0] for m in src_left)[:4]}...)")
        tally["messages missing"] += len(src_left)
    if tgt_left:
        problems.append(f"{len(tgt_left)} unexpected messages on target (sizes {sorted(m[0] for m in tgt_left)[:4]}...)")
        tally["messages extra"] += len(tgt_left)
    return problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--source-port", type=int, required=True)
    p.add_argument("--source-ca", required=True)
    p.add_argument("--source-user", required=True)
    p.add_argument("--target-port", type=int, required=True)
    p.add_argument("--target-ca", required=True)
    p.add_argument("--target-user", required=True)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    started = time.monotonic()
    src = snapshot(a.host, a.source_port, a.source_ca, a.source_user, os.environ["IMAPCHECK_SOURCE_PASSWORD"])
    tgt = snapshot(a.host, a.target_port, a.target_ca, a.target_user, os.environ["IMAPCHECK_TARGET_PASSWORD"])
    result = compare(src, tgt)
    if a.json:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(result["summary"])
        for folder, problems in result["folders"].items():
            for problem in problems:
                print(f"  {folder}: {problem}")
        for note in result["notes"]:
            print(f"  note: {note}")
        print(f"  ({totals(src)[0]} source messages, {time.monotonic() - started:.1f} s)", file=sys.stderr)
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
