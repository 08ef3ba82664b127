#!/bin/bash
# wave.sh PREFIX SCALE SEED ID_BASE TASK_ID_BASE: adds a generated wave of orders while a reconciler may
# be running. The wave's processing orders are inserted as 'pending', dumped (their "before"), then
# moved to 'processing' in one UPDATE that keeps updated_at, so the dump is race-free.
set -euo pipefail
cd "$(dirname "$0")"; source ./env.sh
p=$1
python3 gen_scenario.py --prefix "$p" --scale "$2" --seed "$3" --id-base "$4" --task-id-base "$5" --no-big \
        --sql out/wave_$p.sql --expect out/expected_$p.jsonl --hold out/wave_${p}_release.sql
sql < out/wave_$p.sql
python3 db.py out/before_$p.json
python3 - "$p" <<'PY'
import json, sys
p = sys.argv[1]
exp = {json.loads(l)["code"]: json.loads(l) for l in open("out/expected_%s.jsonl" % p)}
d = json.load(open("out/before_%s.json" % p))
d["orders"] = [o for o in d["orders"] if o["order_code"] in exp]
for o in d["orders"]:
    o["order_status"] = exp[o["order_code"]]["before"]
ids = {o["id"] for o in d["orders"]}
d["tasks"] = [t for t in d["tasks"] if t["order_id"] in ids or (t["order_id"] is None and t["id"] >= min(ids) * 10)]
json.dump(d, open("out/before_%s.json" % p, "w"), ensure_ascii=False)
PY
sql < out/wave_${p}_release.sql
echo "$(date +%T) wave $p released: $(grep -c . out/expected_$p.jsonl) orders"
