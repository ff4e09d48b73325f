#!/usr/bin/env python3
"""An audit of the Flink lab's committed output, written apart from firedrill's (the same
closed form, read from the job's SQL rules), so the end-to-end test can check that firedrill's
auditor tells the truth. Prints JSON: transfers, lost, duplicated, wrong, missing."""
import collections, json, os, sys

out, accounts = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100
rows = collections.defaultdict(list)
for name in os.listdir(out):
    if name.startswith('.') or not name.startswith('part-'):
        continue
    for line in open(os.path.join(out, name)):
        i, a, d, b = map(int, line.strip().split(','))
        rows[i].append((a, d, b))
last = max(rows) if rows else -1
bal = [0] * accounts
lost = dup = wrong = missing = 0
for i in range(last + 1):
    f = i % accounts
    t = (i % accounts + 1 + (i // accounts) % (accounts - 1)) % accounts
    amt = 1 + (i * 7919) % 1000
    bal[f] -= amt
    bal[t] += amt
    got = rows.get(i, [])
    if not got:
        missing += 1; lost += 2; continue
    for acct, delta in ((f, -amt), (t, amt)):
        mine = [r for r in got if r[0] == acct]
        if not mine:
            lost += 1; continue
        dup += len(mine) - 1
        if mine[0][1] != delta or mine[0][2] != bal[acct]:
            wrong += 1
    wrong += len([r for r in got if r[0] not in (f, t)])
print(json.dumps({"transfers": last + 1, "lost": lost, "duplicated": dup, "wrong": wrong, "missing": missing}))
