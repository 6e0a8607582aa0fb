-- Roles and databases of the landscape: ShopDB and MES DB, each with its own role that
-- owns it; nobody else may connect. Idempotent: ./fabtrace runs it on every `up`.
-- Variables (psql -v): shop_user, shop_password, mes_user, mes_password.
SELECT format('CREATE ROLE %I LOGIN', :'shop_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'shop_user') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'mes_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'mes_user') \gexec
ALTER ROLE :"shop_user" PASSWORD :'shop_password';
ALTER ROLE :"mes_user" PASSWORD :'mes_password';

SELECT format('CREATE DATABASE shopdb OWNER %I', :'shop_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shopdb') \gexec
SELECT format('CREATE DATABASE mesdb OWNER %I', :'mes_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'mesdb') \gexec

REVOKE CONNECT, TEMPORARY ON DATABASE shopdb FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE mesdb FROM PUBLIC;
GRANT CONNECT ON DATABASE shopdb TO :"shop_user";
GRANT CONNECT ON DATABASE mesdb TO :"mes_user";
