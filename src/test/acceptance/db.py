"""Tiny read-only helper: runs a query through the mysql client and returns rows as dicts,
via JSON_OBJECT so that newlines and Unicode survive."""
import json, os, subprocess

def rows(select_list, rest):
    """select_list: [(name, expr)], rest: 'FROM ... WHERE ... ORDER BY ...'"""
    obj = ", ".join("'%s', %s" % (n, e) for n, e in select_list)
    query = "SET NAMES utf8mb4; SELECT JSON_OBJECT(%s) %s" % (obj, rest)
    out = subprocess.run(
        ["mysql", "--default-character-set=utf8mb4", "-N", "-B", "--raw", "-h", os.environ["DB_HOST"],
         "-P", os.environ["DB_PORT"], "-u", os.environ["DB_USER"], "-p" + os.environ["DB_PASS"],
         os.environ["DB_NAME"], "-e", query], check=True, capture_output=True).stdout.decode("utf-8")
    return [json.loads(line) for line in out.split("\n") if line.strip()]

ORDER_COLS = [(c, c) for c in ("id", "order_code", "user_email", "payment_status", "order_status")] + [
    ("total_amount", "CAST(total_amount AS CHAR)"), ("created_at", "CAST(created_at AS CHAR)"),
    ("updated_at", "CAST(updated_at AS CHAR)")]
TASK_COLS = [(c, c) for c in ("id", "order_id", "email", "course_title", "course_url", "status", "drive_link",
                              "error_message")] + [("created_at", "CAST(created_at AS CHAR)"),
                                                   ("updated_at", "CAST(updated_at AS CHAR)")]
NOTE_COLS = [(c, c) for c in ("id", "order_id", "order_code", "recipient", "status", "attempts", "last_error",
                              "message_id", "claimed_by", "job_execution_id")] + [
    ("claimed_until", "CAST(claimed_until AS CHAR)"), ("created_at", "CAST(created_at AS CHAR)"),
    ("sent_at", "CAST(sent_at AS CHAR)")]

def dump(path):
    data = {"orders": rows(ORDER_COLS, "FROM orders ORDER BY id"),
            "tasks": rows(TASK_COLS, "FROM download_tasks ORDER BY id")}
    with open(path, "w") as f:
        json.dump(data, f, ensure_ascii=False)

if __name__ == "__main__":
    import sys
    dump(sys.argv[1])
