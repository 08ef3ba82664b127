#!/usr/bin/env python3
"""Generates the issue-2 acceptance shop: ~3,000 orders over every case of contract section 3,
as one SQL file (explicit ids, times relative to the database's NOW(3)), and the expected outcome
of every order, written BEFORE any run.

  python3 gen_scenario.py --sql out/scenario.sql --expect out/expected.jsonl [--id-base 1]

Expected record per order (JSON line):
  code, id, case, before   : the order as generated
  after                    : its order_status after `run` ("completed" or unchanged)
  notification             : null (no row), or {"status": sent|skipped|failed|skipped_or_failed,
                              "recipient": address the email must go to (sent only),
                              "reason": substring expected in last_error (failed/skipped)}
  email                    : true when exactly one email must arrive for it
  tasks                    : number of tasks
"""
import argparse, json, random

R = random.Random(20261125)
ap = argparse.ArgumentParser()
ap.add_argument("--sql", required=True)
ap.add_argument("--expect", required=True)
ap.add_argument("--id-base", type=int, default=1)
ap.add_argument("--task-id-base", type=int, default=1)
ap.add_argument("--prefix", default="ACC")
ap.add_argument("--scale", type=float, default=1.0, help="multiplies the bulk case counts (A, B, C, D, E, F, I)")
ap.add_argument("--no-big", action="store_true", help="leave out the 1,500-task order")
ap.add_argument("--hold", help="insert processing orders as 'pending' and write to this file the UPDATE that"
                " moves them to 'processing' (keeping updated_at), so that a dump can be taken first")
ap.add_argument("--seed", type=int, default=20261125)
args = ap.parse_args()
R.seed(args.seed)

def S(k):
    return max(1, int(round(k * args.scale)))

orders, tasks, expect = [], [], []
next_order = [args.id_base]
next_task = [args.task_id_base]
counter = {}

def q(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, Raw):
        return v.sql
    return "'" + v.replace("\\", "\\\\").replace("'", "''").replace("\0", "\\0").replace("\r", "\\r").replace("\n", "\\n") + "'"

class Raw:
    def __init__(self, sql):
        self.sql = sql

def ago(seconds):
    return Raw("NOW(3) - INTERVAL %d SECOND" % seconds)

ORDER_TIME = Raw("'2026-01-15 10:00:00.000'")  # fixed, so that any change shows in the dump

def recent():
    return ago(R.randint(60, 3 * 86400))

def old(days=30):
    return ago(days * 86400 + R.randint(0, 3600))

def course(i):
    return ("Course %d: %s" % (i, R.choice(["Python", "SQL", "Rust", "Photography", "Guitar", "Statistics"])),
            "https://courses.example.com/c/%d" % i)

def add_order(case, status, email, task_specs, after, notification, email_expected,
              payment="paid", code=None):
    oid = next_order[0]
    next_order[0] += 1
    if code is None:
        counter[case] = counter.get(case, 0) + 1
        code = "%s-%s-%04d" % (args.prefix, case, counter[case])
    assert len(code) <= 32, code
    orders.append((oid, code, email, "%.2f" % (10 + oid % 90), payment, status))
    for spec in task_specs:
        tid = next_task[0]
        next_task[0] += 1
        t = dict(spec)
        title, url = course(tid)
        t.setdefault("title", title)
        t.setdefault("url", url)
        if t["status"] == "completed":
            t.setdefault("drive", "https://drive.example.com/file/d/%d/view" % tid)
        if t["status"] == "failed":
            t.setdefault("error", "Enrollment failed: seat limit reached (task %d)" % tid)
        tasks.append((tid, oid, t.get("task_email", None), t["title"], t["url"], t["status"],
                      t.get("drive"), t.get("error"), t.get("updated", recent())))
    expect.append({"code": code, "id": oid, "case": case, "before": status, "after": after,
                   "notification": notification, "email": email_expected, "tasks": len(task_specs)})
    return code

def sent(addr):
    return {"status": "sent", "recipient": addr}

def done(n, failed=0, updated=None):
    specs = [{"status": "completed"} for _ in range(n - failed)] + [{"status": "failed"} for _ in range(failed)]
    R.shuffle(specs)
    if updated is not None:
        for s in specs:
            s["updated"] = updated()
    return specs

def addr(i):
    return "buyer%05d@example.com" % i

n = 0
# A: one-course finished, recent -> completed, one email
for _ in range(S(700)):
    n += 1
    add_order("ONE", "processing", addr(n), done(1), "completed", sent(addr(n)), True)
# B: three-course finished (all completed) -> completed, one email
for _ in range(S(450)):
    n += 1
    add_order("THREE", "processing", addr(n), done(3), "completed", sent(addr(n)), True)
# C: three-course with one task still processing / pending / enrolled -> stays processing
for st in ("processing", "pending", "enrolled"):
    for _ in range(S(100)):
        n += 1
        specs = done(2) + [{"status": st}]
        R.shuffle(specs)
        add_order("OPEN" + st[:3].upper(), "processing", addr(n), specs, "processing", None, False)
# D: finished with a failed task -> completed, one email listing the error
for _ in range(S(300)):
    n += 1
    add_order("FAIL", "processing", addr(n), done(3, failed=R.choice([1, 2, 3])), "completed", sent(addr(n)), True)
# E: zero-task processing orders -> anomalies, untouched
for _ in range(S(30)):
    n += 1
    add_order("ANOM", "processing", addr(n), [], "processing", None, False)
# F: pending / completed / failed orders with finished tasks (recent and old) -> untouched
for st in ("pending", "completed", "failed"):
    for i in range(S(100)):
        n += 1
        add_order("NP" + st[:4].upper(), st, addr(n), done(R.choice([1, 3]), failed=R.choice([0, 1]),
                  updated=recent if i % 2 else old), st, None, False)
# I: backlog, every task updated 30 days ago -> completed quietly (skipped, no email)
for _ in range(S(700)):
    n += 1
    add_order("OLD", "processing", addr(n), done(R.choice([1, 3]), failed=R.choice([0, 0, 1]), updated=old),
              "completed", {"status": "skipped", "reason": "max-age"}, False)
# I': age boundaries: newest task 6 days -> email; 8 days -> skipped; old + one recent task -> email
for _ in range(10):
    n += 1
    add_order("AGE6D", "processing", addr(n), done(2, updated=lambda: ago(6 * 86400)), "completed", sent(addr(n)), True)
for _ in range(10):
    n += 1
    add_order("AGE8D", "processing", addr(n), done(2, updated=lambda: ago(8 * 86400)), "completed",
              {"status": "skipped", "reason": "max-age"}, False)
for _ in range(10):
    n += 1
    specs = done(2, updated=old) + [{"status": "completed", "updated": ago(3600)}]
    add_order("AGEMIX", "processing", addr(n), specs, "completed", sent(addr(n)), True)
# Backlog with an invalid recipient: no email either way (skipped or failed both keep the rule)
for e in (None, "", "no-at-sign"):
    n += 1
    add_order("OLDBAD", "processing", e, done(1, updated=old), "completed",
              {"status": "skipped_or_failed"}, False)

# H: recipients
def bad(email, reason, k=2, task_email=None):
    for _ in range(k):
        specs = done(1)
        if task_email:
            specs[0]["task_email"] = task_email
        add_order("MAILBAD", "processing", email, specs, "completed", {"status": "failed", "reason": reason}, False)

bad(None, "no recipient", task_email="task-owner@example.net")  # the task's email must NOT be used
bad("", "no recipient")
bad("   ", "no recipient")
bad("no-at-sign", "")
bad("a@b", "")
bad("x@y.z with space", "")
bad("victim@example.com\r\nBcc: evil@example.com", "control")
bad("victim@example.com\nBcc: evil@example.com", "control")
bad("victim@example.com\rX-Injected: yes", "control")
bad("one@example.com, two@example.com", "")
bad("δοκιμή@example.com", "ASCII")
bad("@example.com", "")
bad("user@", "")
bad("user@@example.com", "")
bad(("l" * 65) + "@example.com", "64")

def good(case, email, rcpt, k=2):
    for _ in range(k):
        add_order(case, "processing", email, done(R.choice([1, 3])), "completed", sent(rcpt), True)

good("MAILNAME", "Jane <jane@example.com>", "jane@example.com")
good("MAILNAME", '"Doe, John" <john.doe@example.com>', "john.doe@example.com")
good("MAILIDN", "user@bücher.example", "user@xn--bcher-kva.example")
good("MAILIDN", "kunde@münchen.example", "kunde@xn--mnchen-3ya.example")
good("MAILWS", "  spaced@example.com  ", "spaced@example.com")
good("MAILCASE", "Mixed.Case@Example.COM", "Mixed.Case@Example.COM")
good("MAILPLUS", "first.last+tag@sub.example.org", "first.last+tag@sub.example.org")
# The same buyer with many orders: one email per order
for _ in range(20):
    add_order("REPEAT", "processing", "repeat@example.com", done(1), "completed", sent("repeat@example.com"), True)
# A recipient the SMTP server refuses for good (550): failed with the server's reply, sent once
for _ in range(2):
    add_order("BOUNCE", "processing", "bounce@example.com", done(1), "completed",
              {"status": "failed", "reason": "550"}, False)
# Payment state does not matter: a processing order that is finished completes
for p in ("pending", "failed", "refunded"):
    n += 1
    add_order("PAY" + p[:3].upper(), "processing", addr(n), done(1), "completed", sent(addr(n)), True, payment=p)

# J: course titles with markup, newlines, Unicode, NULL/empty titles, missing link/error
weird_titles = [
    "<b>Bold</b> & <script>alert('x')</script>",
    "{{orderCode}} {{#courses}}injected{{/courses}}",
    "Line one\nLine two\r\nSubject: forged header",
    "Tabs\tand   many    spaces",
    "Ünïcödé – “quotes” — 日本語の講座 — العربية — 🎸🎻",
    "Zero\u200bwidth and \u2028line separator",
    "x" * 480,
    "Ends with newline\n",
]
for i, t in enumerate(weird_titles):
    n += 1
    specs = [{"status": "completed", "title": t}, {"status": "failed", "title": t + " (2)",
             "error": "Upload error:\nquota exceeded\r\nX-Header: injected <b>html</b>"}]
    add_order("TITLE", "processing", addr(n), specs, "completed", sent(addr(n)), True)
for spec in ([{"status": "completed", "title": None}],
             [{"status": "completed", "title": ""}],
             [{"status": "completed", "title": "   "}],
             [{"status": "completed", "drive": None}],
             [{"status": "failed", "error": None}],
             [{"status": "failed", "error": ""}],
             [{"status": "completed", "url": "https://courses.example.com/c/very-long/" + "p" * 900}]):
    n += 1
    add_order("TITLE", "processing", addr(n), spec, "completed", sent(addr(n)), True)

# Unusual order codes (subject encoding, Message-ID escaping)
n += 1
add_order("CODE", "processing", addr(n), done(1), "completed", sent(addr(n)), True, code="ÜBER-ORDER-0001" if args.prefix == "ACC" else "Ü-%s-0001" % args.prefix)
n += 1
add_order("CODE", "processing", addr(n), done(1), "completed", sent(addr(n)), True, code="ORD 2026/11.25#1" if args.prefix == "ACC" else "%s 11.25#1" % args.prefix)

# K: one order with 1,500 tasks (1,400 completed, 100 failed) -> completed, one bounded email
if not args.no_big:
    n += 1
    add_order("BIG", "processing", addr(n), done(1500, failed=100), "completed", sent(addr(n)), True)

# An unknown task status ('' after a non-strict insert) counts as not finished
UNKNOWN_ORDERS = []
for _ in range(2):
    n += 1
    specs = done(1) + [{"status": "__UNKNOWN__"}]
    UNKNOWN_ORDERS.append(add_order("UNKNOWN", "processing", addr(n), specs, "processing", None, False))

# Interleave the cases: give the orders a shuffled permutation of their ids, so every chunk mixes them
ids = [o[0] for o in orders]
perm = ids[:]
R.shuffle(perm)
remap = dict(zip(ids, perm))
orders = sorted(((remap[o[0]],) + tuple(o[1:]) for o in orders), key=lambda o: o[0])
tasks = [(t[0], remap[t[1]]) + tuple(t[2:]) for t in tasks]
for e in expect:
    e["id"] = remap[e["id"]]

with open(args.sql, "w") as f:
    f.write("SET NAMES utf8mb4;\n")
    for i in range(0, len(orders), 500):
        f.write("INSERT INTO orders (id, order_code, user_email, total_amount, payment_status, order_status,"
                " created_at, updated_at) VALUES\n")
        f.write(",\n".join("(%d,%s,%s,%s,%s,%s,%s,%s)" % (o[0], q(o[1]), q(o[2]), o[3], q(o[4]),
                                                          q("pending" if args.hold and o[5] == "processing" else o[5]),
                                                          ORDER_TIME.sql, ORDER_TIME.sql)
                           for o in orders[i:i + 500]))
        f.write(";\n")
    normal = [t for t in tasks if t[5] != "__UNKNOWN__"]
    unknown = [t for t in tasks if t[5] == "__UNKNOWN__"]
    # tasks with order_id NULL (nobody's order): must be ignored
    for _ in range(50):
        tid = next_task[0]
        next_task[0] += 1
        normal.append((tid, None, "orphan%d@example.com" % tid, "Orphan course %d" % tid,
                       "https://courses.example.com/orphan/%d" % tid, R.choice(["completed", "failed", "pending"]),
                       None, None, recent()))
    cols = "(id, order_id, email, course_title, course_url, status, drive_link, error_message, created_at, updated_at)"
    for i in range(0, len(normal), 500):
        f.write("INSERT INTO download_tasks %s VALUES\n" % cols)
        f.write(",\n".join("(%d,%s,%s,%s,%s,%s,%s,%s,%s,%s)" % (t[0], q(t[1]), q(t[2]), q(t[3]), q(t[4]), q(t[5]),
                                                               q(t[6]), q(t[7]), q(t[8]), q(t[8]))
                           for t in normal[i:i + 500]))
        f.write(";\n")
    f.write("SET SESSION sql_mode = '';\n")
    for t in unknown:
        f.write("INSERT INTO download_tasks %s VALUES (%d,%d,NULL,%s,%s,'bogus-status',NULL,NULL,%s,%s);\n"
                % (cols, t[0], t[1], q(t[3]), q(t[4]), q(t[8]), q(t[8])))

if args.hold:
    held = [o[0] for o in orders if o[5] == "processing"]
    with open(args.hold, "w") as f:
        f.write("UPDATE orders SET order_status = 'processing', updated_at = updated_at WHERE id IN (%s);\n"
                % ",".join(map(str, held)))

with open(args.expect, "w") as f:
    for e in expect:
        f.write(json.dumps(e, ensure_ascii=False) + "\n")

print("orders %d, tasks %d (+50 with order_id NULL), emails expected %d" % (
    len(orders), len(tasks), sum(1 for e in expect if e["email"])))
