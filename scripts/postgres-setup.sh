#!/usr/bin/env bash
# Installs (if needed) and starts PostgreSQL from Debian's packages, and creates the
# TechEmpower `hello_world` database (user benchmarkdbuser / benchmarkdbpass) with its World
# (10,000 rows) and Fortune (12 rows) tables. Idempotent. Prints the DATABASE_URL to use.
# Needs root (apt-get, pg_ctlcluster).
set -euo pipefail

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /usr/lib/postgresql 2>/dev/null)" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
    pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | grep -q "^$version *main .* online"; then
    pg_ctlcluster "$version" main start
fi

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -q $*"; }

psql_admin "-tc \"SELECT 1 FROM pg_roles WHERE rolname = 'benchmarkdbuser'\"" | grep -q 1 ||
    psql_admin "-c \"CREATE ROLE benchmarkdbuser LOGIN PASSWORD 'benchmarkdbpass'\""
psql_admin "-tc \"SELECT 1 FROM pg_database WHERE datname = 'hello_world'\"" | grep -q 1 ||
    psql_admin "-c \"CREATE DATABASE hello_world OWNER benchmarkdbuser\""

PGPASSWORD=benchmarkdbpass psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U benchmarkdbuser hello_world <<'SQL'
CREATE TABLE IF NOT EXISTS world (
    id integer NOT NULL PRIMARY KEY,
    randomnumber integer NOT NULL DEFAULT 0
);
INSERT INTO world (id, randomnumber)
SELECT x.id, least(floor(random() * 10000 + 1), 10000)
FROM generate_series(1, 10000) AS x(id)
ON CONFLICT (id) DO NOTHING;

CREATE TABLE IF NOT EXISTS fortune (
    id integer NOT NULL PRIMARY KEY,
    message varchar(2048) NOT NULL
);
INSERT INTO fortune (id, message) VALUES
    (1, 'fortune: No such file or directory'),
    (2, 'A computer scientist is someone who fixes things that aren''t broken.'),
    (3, 'After enough decimal places, nobody gives a damn.'),
    (4, 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1'),
    (5, 'A computer program does what you tell it to do, not what you want it to do.'),
    (6, 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen'),
    (7, 'Any program that runs right is obsolete.'),
    (8, 'A list is only as strong as its weakest link. — Donald Knuth'),
    (9, 'Feature: A bug with seniority.'),
    (10, 'Computers make very fast, very accurate mistakes.'),
    (11, '<script>alert("This should not be displayed in a browser alert box.");</script>'),
    (12, 'フレームワークのベンチマーク')
ON CONFLICT (id) DO NOTHING;
SQL

echo "DATABASE_URL=postgres://benchmarkdbuser:benchmarkdbpass@127.0.0.1:5432/hello_world"
