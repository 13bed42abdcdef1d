# bench/lib.sh -- helpers the benchmark scripts share (sourced from the repository root, OF_STATE_DIR set).

# admin SQL: run SQL on the bench stack's main database as the unix-socket admin account (no password).
admin() { mariadb --no-defaults --socket="$OF_STATE_DIR/mysql/mysqld.sock" --user="$(id -un)" orderfleet -N -B -e "$1"; }

# reset_db: every table of the main database emptied (schema_migrations kept), then the sample catalogue loaded.
reset_db() {
  local tables
  tables=$(admin "SELECT GROUP_CONCAT(CONCAT('TRUNCATE TABLE ', table_name) SEPARATOR '; ') FROM information_schema.tables
                  WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'")
  admin "$tables"
  bash scripts/stack.sh mysql <data/sample/catalogue.sql
}
