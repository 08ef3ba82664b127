#!/bin/bash
# Drops every table of the shop database (shop's and reconciler's) and recreates the shop tables
# from the project's copy of the contract DDL.
set -euo pipefail
source "$(dirname "$0")/env.sh"
tables=$(sql -N -e "SELECT GROUP_CONCAT(CONCAT('\`',table_name,'\`')) FROM information_schema.tables WHERE table_schema='$DB_NAME'")
if [ "$tables" != "NULL" ]; then sql -e "SET FOREIGN_KEY_CHECKS=0; DROP TABLE $tables; SET FOREIGN_KEY_CHECKS=1;"; fi
sql < /work/accept-wt/src/main/resources/demo/shop-schema.sql
echo "shop database reset"
