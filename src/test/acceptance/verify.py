#!/usr/bin/env python3
"""Checks the database and the SMTP sink's mailbox against the expectations written before the run.

  python3 verify.py --expect out/expected.jsonl --before out/before.json --mail out/mail \
                    [--after out/after.json] [--extra-orders-ok]

Prints one line per discrepancy (and a summary); exits 1 if there is any.
"""
import argparse, collections, email, glob, json, os, re, sys, unicodedata
from email import policy

import db

ap = argparse.ArgumentParser()
ap.add_argument("--expect", required=True, action="append")
ap.add_argument("--before", required=True, action="append", help="dumps; the first that has an order/task wins")
ap.add_argument("--mail", required=True)
ap.add_argument("--after")
ap.add_argument("--domain", default="order-reconciler.local")
ap.add_argument("--max-listed", type=int, default=200)
ap.add_argument("--quiet-ok", action="store_true")
args = ap.parse_args()

problems = []
def bad(code, msg):
    problems.append("%s: %s" % (code, msg))

expected = {}
for path in args.expect:
    for line in open(path, encoding="utf-8"):
        e = json.loads(line)
        expected[e["code"]] = e
before = {"orders": [], "tasks": []}
_seen_o, _seen_t = set(), set()
for path in args.before:
    d = json.load(open(path, encoding="utf-8"))
    before["orders"] += [o for o in d["orders"] if o["order_code"] not in _seen_o]
    before["tasks"] += [t for t in d["tasks"] if t["id"] not in _seen_t]
    _seen_o |= {o["order_code"] for o in d["orders"]}
    _seen_t |= {t["id"] for t in d["tasks"]}
if args.after:
    after = json.load(open(args.after, encoding="utf-8"))
else:
    after = {"orders": db.rows(db.ORDER_COLS, "FROM orders ORDER BY id"),
             "tasks": db.rows(db.TASK_COLS, "FROM download_tasks ORDER BY id")}
notes = db.rows(db.NOTE_COLS, "FROM order_notifications ORDER BY id")

b_orders = {o["order_code"]: o for o in before["orders"]}
a_orders = {o["order_code"]: o for o in after["orders"]}
by_id = {o["id"]: o for o in after["orders"]}

# 1. orders -------------------------------------------------------------------------------
completed_now = 0
for code, o in a_orders.items():
    b = b_orders.get(code)
    e = expected.get(code)
    if b is None or e is None:
        bad(code, "order not in the before-dump / expectations (added later?)")
        continue
    if o["order_status"] != e["after"]:
        bad(code, "order_status %s, expected %s (case %s, before %s)" % (o["order_status"], e["after"], e["case"], b["order_status"]))
    same_cols = [k for k in o if k not in ("order_status", "updated_at")]
    for k in same_cols:
        if o[k] != b[k]:
            bad(code, "column %s changed: %r -> %r" % (k, b[k], o[k]))
    if e["after"] == e["before"]:
        if o["updated_at"] != b["updated_at"] or o["order_status"] != b["order_status"]:
            bad(code, "non-candidate changed: status %s->%s updated_at %s->%s" % (
                b["order_status"], o["order_status"], b["updated_at"], o["updated_at"]))
    elif o["order_status"] == "completed":
        completed_now += 1
for code in b_orders:
    if code not in a_orders:
        bad(code, "order disappeared")

# 2. tasks: never written ------------------------------------------------------------------
b_tasks = {t["id"]: t for t in before["tasks"]}
a_tasks = {t["id"]: t for t in after["tasks"]}
task_diffs = [i for i in b_tasks if b_tasks[i] != a_tasks.get(i)] + [i for i in a_tasks if i not in b_tasks]
if task_diffs:
    bad("download_tasks", "%d task rows differ from the before-dump, e.g. ids %s" % (len(task_diffs), task_diffs[:10]))
tasks_by_order = collections.defaultdict(list)
for t in sorted(after["tasks"], key=lambda t: t["id"]):
    if t["order_id"] is not None:
        tasks_by_order[t["order_id"]].append(t)

# 3. order_notifications ----------------------------------------------------------------------
def message_id(code):
    out = "<order-"
    for b in code.encode("utf-8"):
        c = chr(b)
        out += c if (c.isascii() and (c.isalnum() or c in "-_")) else ".%02X" % b
    return out + "@" + args.domain + ">"

notes_by_order = collections.defaultdict(list)
for n in notes:
    notes_by_order[n["order_id"]].append(n)
note_status = collections.Counter()
for code, e in expected.items():
    o = a_orders.get(code)
    if o is None:
        continue
    rows = notes_by_order.get(o["id"], [])
    want = e["notification"]
    if want is None:
        if rows:
            bad(code, "has notification row(s) but should have none: %s" % rows)
        continue
    if len(rows) != 1:
        bad(code, "expected exactly one notification row, found %d" % len(rows))
        continue
    n = rows[0]
    note_status[n["status"]] += 1
    if n["order_code"] != code:
        bad(code, "notification order_code %r" % n["order_code"])
    if n["message_id"] != message_id(code):
        bad(code, "message_id %r, expected %r" % (n["message_id"], message_id(code)))
    ws = want["status"]
    ok_status = ("skipped", "failed") if ws == "skipped_or_failed" else (ws,)
    if n["status"] not in ok_status:
        bad(code, "notification status %s (last_error %r), expected %s" % (n["status"], n["last_error"], ws))
    if ws == "sent":
        if n["recipient"] is None or n["recipient"].lower() != want["recipient"].lower():
            bad(code, "notification recipient %r, expected %r" % (n["recipient"], want["recipient"]))
        if n["status"] == "sent" and (n["sent_at"] is None or n["attempts"] != want.get("attempts", 1) or n["last_error"] is not None):
            bad(code, "sent row: attempts %s sent_at %s last_error %r" % (n["attempts"], n["sent_at"], n["last_error"]))
    elif want.get("reason") and (n["last_error"] is None or want["reason"].lower() not in n["last_error"].lower()):
        bad(code, "last_error %r does not mention %r" % (n["last_error"], want["reason"]))
    if ws in ("skipped", "skipped_or_failed") and n["status"] == "skipped" and n["attempts"] != 0:
        bad(code, "skipped row with attempts %s" % n["attempts"])
    if n["status"] in ("failed", "skipped") and n["sent_at"] is not None:
        bad(code, "%s row with sent_at %s" % (n["status"], n["sent_at"]))
    if n["claimed_by"] is not None or n["claimed_until"] is not None:
        bad(code, "claim left on the row: %s until %s" % (n["claimed_by"], n["claimed_until"]))
known_ids = {a_orders[c]["id"] for c in expected if c in a_orders}
for oid, rows in notes_by_order.items():
    if oid not in known_ids:
        bad("order id %s" % oid, "notification for an order not in the expectations: %s" % rows)

# 4. mail ---------------------------------------------------------------------------------------
JAVA_WS = set("\t\n\u000b\f\r\u001c\u001d\u001e\u001f")
def java_space(ch):
    cp = ord(ch)
    if ch in JAVA_WS:
        return True
    if unicodedata.category(ch) in ("Zs", "Zl", "Zp") and ch not in "\u00a0\u2007\u202f":
        return True
    return cp <= 0x1f or 0x7f <= cp <= 0x9f or cp in (0x2028, 0x2029)

def one_line(text, mx):
    """EmailComposer.oneLine, in Python (code points; Java counts UTF-16 units: same for the BMP)."""
    if text is None:
        return ""
    out, space = [], False
    for ch in text:
        if len(out) > mx:
            break
        if java_space(ch):
            space = len(out) > 0
            continue
        if space:
            out.append(" ")
            space = False
        out.append(ch)
    if len(out) <= mx:
        return "".join(out)
    return "".join(out[:mx - 1]).rstrip() + "\u2026"

msgs = []
for path in sorted(glob.glob(os.path.join(args.mail, "*.eml"))):
    raw = open(path, "rb").read()
    env = json.load(open(path[:-4] + ".json"))
    m = email.message_from_bytes(raw, policy=policy.default)
    msgs.append((path, raw, env, m))

by_mid = collections.defaultdict(list)
by_code = collections.defaultdict(list)
codes_by_len = sorted(expected, key=len, reverse=True)
for path, raw, env, m in msgs:
    mid = str(m["Message-ID"]).strip()
    by_mid[mid].append(path)
    subj = str(m["Subject"])
    hit = re.search(r"Your order (.+) is complete$", subj)
    by_code[hit.group(1) if hit else "<no code in subject: %r>" % subj].append((path, raw, env, m))

dups_mid = {k: v for k, v in by_mid.items() if len(v) > 1}
if dups_mid:
    bad("mail", "%d Message-IDs received more than once, e.g. %s" % (len(dups_mid), list(dups_mid.items())[:3]))

emails_ok = 0
for code, e in expected.items():
    got = by_code.get(code, [])
    if not e["email"]:
        if got:
            bad(code, "received %d email(s) but expected none (case %s): %s" % (len(got), e["case"], [g[0] for g in got]))
        continue
    if len(got) != 1:
        bad(code, "received %d emails, expected exactly 1 (case %s)" % (len(got), e["case"]))
        if not got:
            continue
    path, raw, env, m = got[0]
    rcpt = e["notification"]["recipient"]
    env_rcpts = [r.strip("<>").split(">")[0] for r in env["rcpt_to"]]
    if [r.lower() for r in env_rcpts] != [rcpt.lower()]:
        bad(code, "envelope RCPT TO %s, expected <%s> (%s)" % (env["rcpt_to"], rcpt, path))
    to = str(m["To"])
    if to.lower() != rcpt.lower():
        bad(code, "To header %r, expected %r" % (to, rcpt))
    if str(m["Message-ID"]).strip() != message_id(code):
        bad(code, "Message-ID %r, expected %r" % (str(m["Message-ID"]), message_id(code)))
    if m.get_content_type() != "text/plain" or (m.get_content_charset() or "").lower() != "utf-8":
        bad(code, "content type %s charset %s" % (m.get_content_type(), m.get_content_charset()))
    for h in ("Bcc", "Cc", "X-Injected", "X-Header"):
        if m[h] is not None:
            bad(code, "unexpected header %s: %r (injection?)" % (h, m[h]))
    if len(m.get_all("Subject", [])) != 1 or len(m.get_all("To", [])) != 1:
        bad(code, "Subject/To headers repeated")
    if m["Date"] is None or m["From"] is None:
        bad(code, "missing Date or From")
    body = m.get_content().replace("\r\n", "\n")
    order_tasks = tasks_by_order[a_orders[code]["id"]]
    total = len(order_tasks)
    ncomp = sum(1 for t in order_tasks if t["status"] == "completed")
    if "Your order %s is complete: %d of %d course(s)" % (one_line(code, 64), ncomp, total) not in body:
        bad(code, "body lacks the header line with %d of %d" % (ncomp, total))
    listed = order_tasks[:args.max_listed]
    pos = 0
    for t in listed:
        name = one_line(t["course_title"], 300) or one_line(t["course_url"], 300)
        if t["status"] == "completed":
            res = "Ready: " + (one_line(t["drive_link"], 1000) or "(no link recorded; reply to this email)")
        else:
            res = "Not delivered: " + (one_line(t["error_message"], 500) or "no reason recorded")
        i = body.find("* " + name + "\n", pos)
        if i < 0:
            bad(code, "course %d not listed (in order) as %r" % (t["id"], name[:80]))
            continue
        j = body.find(res, i)
        nxt = body.find("\n* ", i + 2)
        if j < 0 or (nxt >= 0 and j > nxt):
            bad(code, "course %d: result line %r not under its title" % (t["id"], res[:80]))
        pos = i + 1
    bullets = len(re.findall(r"(?m)^\* ", body))
    if bullets != len(listed):
        bad(code, "%d bullet lines, expected %d" % (bullets, len(listed)))
    if total > args.max_listed:
        more = order_tasks[args.max_listed:]
        mc = sum(1 for t in more if t["status"] == "completed")
        mf = sum(1 for t in more if t["status"] == "failed")
        line = "... and %d more course(s): %d ready, %d not delivered." % (len(more), mc, mf)
        if line not in body:
            bad(code, "summary line %r missing" % line)
        print("INFO %s: %d tasks, raw message %d bytes, body %d chars, %d listed" % (code, total, len(raw), len(body), bullets))
    if any(ln.lower().startswith(("subject:", "x-header:", "bcc:")) for ln in body.split("\n")):
        bad(code, "a body line starts like a header (newline not folded)")
    emails_ok += 1
for code in by_code:
    if code not in expected:
        bad(code, "email with an unknown order code in the subject: %s" % [g[0] for g in by_code[code]])

print("orders: %d; completed by the run: %d (expected %d)" % (
    len(a_orders), completed_now, sum(1 for e in expected.values() if e["after"] == "completed" and e["before"] != "completed")))
print("notifications by status: %s (rows %d)" % (dict(note_status), len(notes)))
print("messages received: %d, distinct Message-IDs %d, distinct subject codes %d, expected emails %d" % (
    len(msgs), len(by_mid), len(by_code), sum(1 for e in expected.values() if e["email"])))
print("emails checked: %d" % emails_ok)
for p in problems:
    print("DISCREPANCY " + p)
print("RESULT: %s (%d discrepancies)" % ("PASS" if not problems else "FAIL", len(problems)))
sys.exit(1 if problems else 0)
