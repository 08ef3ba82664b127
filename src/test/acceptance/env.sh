# Sourced by the acceptance scripts: the servers of this acceptance run (127.0.0.1 only).
export DB_USER=reconciler DB_PASS='Rec0n-s3cret' DB_NAME=shop DB_HOST=127.0.0.1 DB_PORT=3306
export SPRING_DATASOURCE_URL="jdbc:mysql://$DB_HOST:$DB_PORT/$DB_NAME"
export SPRING_DATASOURCE_USERNAME=$DB_USER SPRING_DATASOURCE_PASSWORD=$DB_PASS
export SPRING_MAIL_HOST=127.0.0.1 SPRING_MAIL_PORT=2525
export ACC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ACC_OUT=${ACC_OUT:-$ACC_DIR/../../../target/acceptance}
export JAR=${JAR:-$ACC_DIR/../../../target/order-reconciler.jar}
sql() { mysql --default-character-set=utf8mb4 -h$DB_HOST -P$DB_PORT -u$DB_USER -p"$DB_PASS" $DB_NAME "$@"; }
