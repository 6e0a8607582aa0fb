# Per-install secrets: every password, client secret, cookie secret and token of the
# landscape's components is generated at the first start of a state directory (random,
# 128 bits), kept in $FT_STATE/secrets/landscape.env (mode 0600, folder 0700) and reused
# afterwards. They are shell variables of ./fabtrace, never exported: ft_with_secrets
# hands them to the one command that needs them (a template rendering), so they reach
# no command line and no component's environment but the ones whose configuration
# names them (supervisord.conf, mode 0600).
# Sourced by ./fabtrace after scripts/common.sh.

FT_GENERATED_SECRETS=(
  MINIO_PASSWORD          # MinIO's root user (S3 access of the services)
  SHOPDB_PASSWORD         # PostgreSQL role shop (Shop API on ShopDB)
  CRMDB_PASSWORD          # PostgreSQL role crm (CRM API on ShopDB)
  MESDB_PASSWORD          # PostgreSQL role mes (MES API on MES DB)
  KEYCLOAK_DB_PASSWORD    # PostgreSQL role keycloak
  KEYCLOAK_ADMIN_PASSWORD # Keycloak's bootstrap admin of the master realm
  GATE_CLIENT_SECRET      # the gate's (oauth2-proxy) client secret in the realm
  GATE_COOKIE_SECRET      # the gate's session cookie key (32 bytes: AES-256)
  OTLP_TOKEN              # bearer token of the Collector's internal OTLP door
  OPENSEARCH_PASSWORD     # OpenSearch user jaeger (query service and ingesters; FABTRACE_STORAGE=opensearch)
)

ft_secrets_file() { echo "$FT_STATE/secrets/landscape.env"; }

ft_random_secret() { python3 -c 'import secrets; print(secrets.token_hex(16))'; }

# Creates the missing secrets of the state directory and reads all of them.
ft_load_secrets() {
  local file name value
  file=$(ft_secrets_file)
  # A landscape created before per-install secrets keeps the old shared passwords in its
  # databases, Keycloak and MinIO: new secrets would lock its components out of each other.
  if [[ ! -f $file && -f $FT_STATE/postgres/data/PG_VERSION ]]; then
    die "$FT_STATE was created before per-install secrets (docs/security.md); stop it with the previous version, then remove it (or choose another FABTRACE_STATE) and run up again"
  fi
  mkdir -p "$FT_STATE"  # readable by the components' accounts; only secrets/ is closed
  (umask 077 && mkdir -p "$(dirname "$file")" && touch "$file")
  chmod 700 "$(dirname "$file")" && chmod 600 "$file"
  for name in "${FT_GENERATED_SECRETS[@]}"; do
    grep -q "^FT_$name=" "$file" || printf 'FT_%s=%s\n' "$name" "$(ft_random_secret)" >>"$file"
  done
  while IFS='=' read -r name value; do
    [[ $name =~ ^FT_[A-Z_]+$ ]] && printf -v "$name" '%s' "$value"
  done <"$file"
  return 0
}

# Runs a command with the secrets in its environment (and its children's only).
ft_with_secrets() {
  (
    local name
    for name in "${FT_GENERATED_SECRETS[@]}"; do export "FT_$name"; done
    "$@"
  )
}
