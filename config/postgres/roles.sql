-- The two database roles of Switchboard (tenancy/rls.py), created once by a superuser: the
-- compose file mounts this into PostgreSQL's /docker-entrypoint-initdb.d/ (it runs when the
-- data volume is first made); on your own server run it with psql as a superuser, after
-- changing the passwords.
--
-- switchboard      owns the database and its tables; `manage.py migrate` connects as it
--                  (MIGRATION_DATABASE_URL), and `make backup` / `make restore`. BYPASSRLS so
--                  that a backup holds every organization's rows.
-- switchboard_app  what web, worker and beat connect as (DATABASE_URL): reads and writes rows,
--                  is not the owner, not a superuser, and cannot bypass row-level security.
--                  `migrate` grants it its rights on every table.
CREATE ROLE switchboard LOGIN PASSWORD 'switchboard' BYPASSRLS;
CREATE ROLE switchboard_app LOGIN PASSWORD 'switchboard-app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE switchboard OWNER switchboard;
