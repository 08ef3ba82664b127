#!/usr/bin/env python3
"""A large backlog for the issue-3 lease / kill -9 / restart test: N orders, mostly finished long
ago (completed quietly, 'skipped'), some finished recently (one email each), some still open,
some anomalies, some not processing, some without a usable recipient. Same expectation format as
gen_scenario.py.

  python3 gen_backlog.py --count 200000 --id-base 1000001 --task-id-base 2000001 \
                         --sql out/backlog.sql --expect out/expected_backlog.jsonl
"""
import argparse, json, random

ap = argparse.ArgumentParser()
ap.add_argument("--count", type=int, default=200000)
ap.add_argument("--id-base", type=int, default=1000001)
ap.add_argument("--task-id-base", type=int, default=2000001)
ap.add_argument("--prefix", default="BL")
ap.add_argument("--sql", required=True)
ap.add_argument("--expect", required=True)
ap.add_argument("--seed", type=int, default=7)
ap.add_argument("--recent", type=float, default=0.03, help="share finished recently (one email each)")
args = ap.parse_args()
R = random.Random(args.seed)

orders, tasks, expect = [], [], []
tid = args.task_id_base
for k in range(args.count):
    oid = args.id_base + k
    code = "%s-%07d" % (args.prefix, k + 1)
    email = "bl%07d@example.com" % (k + 1)
    x = R.random()
    status = "processing"
    if x < args.recent:
        case, age, specs = "RECENT", "recent", ["completed"] * R.choice([1, 3])
        after, note, mail = "completed", {"status": "sent", "recipient": email}, True
    elif x < args.recent + 0.02:
        case, age, specs = "OPEN", "recent", ["completed", R.choice(["pending", "processing", "enrolled"])]
        after, note, mail = "processing", None, False
    elif x < args.recent + 0.025:
        case, age, specs = "ANOM", None, []
        after, note, mail = "processing", None, False
    elif x < args.recent + 0.035:
        status = R.choice(["pending", "completed", "failed"])
        case, age, specs = "NOTPROC", "old", ["completed"]
        after, note, mail = status, None, False
    elif x < args.recent + 0.04:
        email = R.choice([None, "", "broken-address", "a@b"])
        case, age, specs = "BADMAIL", "recent", ["completed", "failed"]
        after, note, mail = "completed", {"status": "failed"}, False
    else:
        case, age = "OLD", "old"
        specs = R.choice([["completed"], ["completed", "failed"], ["completed"] * 3])
        after, note, mail = "completed", {"status": "skipped", "reason": "max-age"}, False
    orders.append("(%d,'%s',%s,'paid','%s','2026-01-15 10:00:00.000','2026-01-15 10:00:00.000')" % (
        oid, code, "NULL" if email is None else "'%s'" % email, status))
    for st in specs:
        secs = R.randint(60, 5 * 86400) if age == "recent" else R.randint(10 * 86400, 400 * 86400)
        ts = "NOW(3) - INTERVAL %d SECOND" % secs
        tasks.append("(%d,%d,'Backlog course %d','https://courses.example.com/b/%d','%s',%s,%s,%s,%s)" % (
            tid, oid, tid, tid, st,
            "'https://drive.example.com/b/%d'" % tid if st == "completed" else "NULL",
            "'Upload failed (task %d)'" % tid if st == "failed" else "NULL", ts, ts))
        tid += 1
    expect.append({"code": code, "id": oid, "case": "BL" + case, "before": status, "after": after,
                   "notification": note, "email": mail, "tasks": len(specs)})

with open(args.sql, "w") as f:
    f.write("SET NAMES utf8mb4;\nSET autocommit=0;\n")
    for i in range(0, len(orders), 2000):
        f.write("INSERT INTO orders (id, order_code, user_email, payment_status, order_status, created_at, updated_at)"
                " VALUES\n" + ",\n".join(orders[i:i + 2000]) + ";\n")
    for i in range(0, len(tasks), 2000):
        f.write("INSERT INTO download_tasks (id, order_id, course_title, course_url, status, drive_link,"
                " error_message, created_at, updated_at) VALUES\n" + ",\n".join(tasks[i:i + 2000]) + ";\n")
    f.write("COMMIT;\n")
with open(args.expect, "w") as f:
    for e in expect:
        f.write(json.dumps(e) + "\n")
c = {}
for e in expect:
    c[e["case"]] = c.get(e["case"], 0) + 1
print("orders %d, tasks %d, cases %s, emails expected %d" % (len(orders), len(tasks), c, sum(e["email"] for e in expect)))
