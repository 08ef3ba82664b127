#!/bin/bash
# jobs/README.md "Failed notifications": fix orders.user_email, then queue again with the runbook's
# SQL (which copies orders.user_email into the notification as is), then `run`. Uses two orders whose
# notification failed for want of a recipient in phase 1.
set -uo pipefail
cd "$(dirname "$0")"; source ./env.sh
sql -e "UPDATE orders SET user_email = 'fixed@bücher.example', updated_at = updated_at WHERE order_code = 'ACC-MAILBAD-0001';
        UPDATE orders SET user_email = '  Padded Name <padded@example.com> ', updated_at = updated_at WHERE order_code = 'ACC-MAILBAD-0003';"
for c in ACC-MAILBAD-0001 ACC-MAILBAD-0003; do
sql -e "UPDATE order_notifications o JOIN orders s ON s.id = o.order_id
           SET o.recipient = s.user_email, o.status = 'queued', o.attempts = 0, o.last_error = NULL
         WHERE o.order_code = '$c' AND o.status = 'failed'"
done
sql -e "select order_code, recipient, status, attempts, last_error from order_notifications where order_code in ('ACC-MAILBAD-0001','ACC-MAILBAD-0003')"
n0=$(ls out/mail/*.eml | wc -l)
cd work && java -jar "$JAR" run > ../out/requeue_run.out 2> ../out/requeue_run.err; echo "run exit $?: $(cat ../out/requeue_run.out)"; cd ..
grep -E "NotificationSender|SendProgress" out/requeue_run.err
sql -e "select order_code, recipient, status, attempts, last_error from order_notifications where order_code in ('ACC-MAILBAD-0001','ACC-MAILBAD-0003')"
for f in $(ls out/mail/*.eml | tail -n +$((n0 + 1))); do echo "== $f $(cat ${f%.eml}.json | cut -c1-120)"; tr -d '\r' < $f | sed -n 2,5p; done
