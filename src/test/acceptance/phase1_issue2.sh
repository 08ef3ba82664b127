#!/bin/bash
# Issue 2 "Done when": a few thousand orders over every case of contract section 3, against a
# MariaDB server and an SMTP sink (smtp_sink.py, not GreenMail) that the tests never saw.
# Expects: MariaDB on 127.0.0.1:3306 with database shop and user reconciler (see README.md here),
# smtp_sink.py running on 127.0.0.1:2525 with --reject-rcpt bounce@example.com, writing to out/mail.
set -uo pipefail
cd "$(dirname "$0")"
source ./env.sh
mkdir -p out work
./reset_db.sh
python3 gen_scenario.py --sql out/scenario.sql --expect out/expected.jsonl   # expectations BEFORE the run
sql < out/scenario.sql
python3 db.py out/before.json
cd work   # no ./config here: the jar's defaults plus the environment
java -jar "$JAR" check > ../out/check1.out 2> ../out/check1.err; echo "check exit $?"
java -jar "$JAR" run   > ../out/run1.out   2> ../out/run1.err;   echo "run 1 exit $?"
python3 ../db.py ../out/after1.json
python3 ../verify.py --expect ../out/expected.jsonl --before ../out/before.json --after ../out/after1.json \
        --mail ../out/mail > ../out/verify1.txt; echo "verify after run 1 exit $?"
java -jar "$JAR" run   > ../out/run2.out   2> ../out/run2.err;   echo "run 2 exit $?"
python3 ../db.py ../out/after2.json
python3 -c "import json; print('orders and tasks unchanged by run 2:', json.load(open('../out/after1.json')) == json.load(open('../out/after2.json')))"
python3 ../verify.py --expect ../out/expected.jsonl --before ../out/before.json --after ../out/after2.json \
        --mail ../out/mail > ../out/verify2.txt; echo "verify after run 2 exit $?"
java -jar "$JAR" status        > ../out/status.out  2> ../out/status.err;      echo "status exit $?"
java -jar "$JAR" status --json > ../out/status.json 2> ../out/status_json.err; echo "status --json exit $?"
