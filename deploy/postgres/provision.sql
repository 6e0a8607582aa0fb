-- Roles and databases of the landscape: ShopDB and MES DB, each with its own role that
-- owns it; nobody else may connect. Idempotent: ./fabtrace runs it on every `up`.
-- CRM API works on ShopDB with a role of its own (crm): Shop API's migrations grant it
-- what it may read and change; it creates its own tables. Keycloak keeps its data in a
-- database of its own. Variables (psql -v): shop_user, shop_password, crm_password,
-- mes_user, mes_password, keycloak_password.
SELECT format('CREATE ROLE %I LOGIN', :'shop_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'shop_user') \gexec
SELECT format('CREATE ROLE %I LOGIN', :'mes_user')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'mes_user') \gexec
SELECT 'CREATE ROLE keycloak LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'keycloak') \gexec
SELECT 'CREATE ROLE crm LOGIN'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm') \gexec
ALTER ROLE crm PASSWORD :'crm_password';
ALTER ROLE keycloak PASSWORD :'keycloak_password';
ALTER ROLE :"shop_user" PASSWORD :'shop_password';
ALTER ROLE :"mes_user" PASSWORD :'mes_password';

SELECT format('CREATE DATABASE shopdb OWNER %I', :'shop_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'shopdb') \gexec
SELECT format('CREATE DATABASE mesdb OWNER %I', :'mes_user')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'mesdb') \gexec

SELECT 'CREATE DATABASE keycloak OWNER keycloak'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'keycloak') \gexec

REVOKE CONNECT, TEMPORARY ON DATABASE keycloak FROM PUBLIC;
GRANT CONNECT ON DATABASE keycloak TO keycloak;
REVOKE CONNECT, TEMPORARY ON DATABASE shopdb FROM PUBLIC;
REVOKE CONNECT, TEMPORARY ON DATABASE mesdb FROM PUBLIC;
GRANT CONNECT ON DATABASE shopdb TO :"shop_user", crm;
GRANT CONNECT ON DATABASE mesdb TO :"mes_user";

\connect shopdb
GRANT CREATE ON SCHEMA public TO crm;
