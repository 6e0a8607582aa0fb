# Starting, provisioning and stopping the landscape of one profile.
# Sourced by ./fabtrace after scripts/common.sh and scripts/install.sh.

# Components in start order; each group starts together and must be ready before the next.
# gateway-2 belongs to the landscape only when FT_GATEWAYS=2, OpenSearch and the Jaeger
# ingesters and the dependencies writer only when FT_STORAGE=opensearch (ft_component_enabled).
FT_GROUPS=("postgres minio kafka prometheus opensearch" "jaeger" "toxiproxy" "gateway-1 gateway-2 jaeger-ingester-1 jaeger-ingester-2 jaeger-dependencies"
  "collector keycloak" "jaeger-gate" "shop-api" "crm-api mes-api internet-shop crm mes")
ft_component_enabled() {
  case $1 in
    gateway-2) [[ $FT_GATEWAYS == 2 ]] ;;
    opensearch | jaeger-ingester-* | jaeger-dependencies) [[ $FT_STORAGE == opensearch ]] ;;
    *) return 0 ;;
  esac
}

ft_supervisorctl() { supervisorctl -c "$FT_STATE/supervisord.conf" "$@"; }
ft_supervisor_running() { [[ -S $FT_RUN/supervisor.sock ]] && ft_supervisorctl pid >/dev/null 2>&1; }

# Renders a template from deploy/ into the state directory, substituting only FT_*
# variables (the secrets among them); the result is readable by its owner only.
ft_render() {
  local template=$1 target=$2 vars
  vars=$(compgen -v FT_ | sed 's/^/$/' | tr '\n' ' ')
  mkdir -p "$(dirname "$target")"
  (umask 077 && ft_with_secrets envsubst "$vars" <"$template" >"$target.tmp") && mv "$target.tmp" "$target"
}

ft_prepare_state() {
  ft_load_secrets
  ft_tls_prepare
  mkdir -p "$FT_STATE" "$FT_RUN" "$FT_LOGS" "$FT_STATE"/{minio/data,kafka/data,jaeger/keys,jaeger/values,collector/queue,toxiproxy,prometheus/data}
  mkdir -p "$FT_STATE"/collector/gateway-{1,2}-queue
  export FT_PG_USER FT_BIN_MINIO FT_BIN_JAEGER FT_BIN_COLLECTOR FT_BIN_TOXIPROXY FT_KAFKA_LIBS FT_BIN_SHOP_API \
    FT_KEYCLOAK_HOME FT_KEYCLOAK_JAVA_HOME FT_BIN_OAUTH2_PROXY FT_JAEGER_UI FT_BIN_CRM_API FT_BIN_MES_API FT_BIN_TELEMETRYGEN \
    FT_BIN_KUBECONFORM FT_BIN_KUSTOMIZE FT_K8S_SCHEMAS FT_BIN_JAEGER_DEPENDENCIES
  FT_PG_USER=$(ft_pg_user)
  FT_BIN_MINIO=$(ft_minio_bin)
  FT_BIN_JAEGER=$(ft_jaeger_bin)
  FT_BIN_COLLECTOR=$(ft_collector_bin)
  FT_BIN_TELEMETRYGEN=$(ft_telemetrygen_bin)
  FT_BIN_KUBECONFORM=$(ft_kubeconform_bin)
  FT_BIN_KUSTOMIZE=$(ft_kustomize_bin)
  FT_K8S_SCHEMAS=$(ft_k8s_schemas_dir)
  FT_BIN_TOXIPROXY=$(ft_toxiproxy_dir)/server
  FT_KAFKA_LIBS=$(ft_kafka_libs)
  FT_BIN_SHOP_API=$(ft_cmake_build_dir)/services/shop-api/shop-api
  FT_BIN_CRM_API=$(ft_cmake_build_dir)/services/crm-api/crm-api
  FT_BIN_MES_API=$(ft_cmake_build_dir)/services/mes-api/mes-api
  FT_BIN_JAEGER_DEPENDENCIES=$(ft_cmake_build_dir)/tools/jaeger-dependencies/jaeger-dependencies
  FT_KEYCLOAK_HOME=$(ft_keycloak_home)
  FT_KEYCLOAK_JAVA_HOME=$(ft_java21_home)
  FT_BIN_OAUTH2_PROXY=$(ft_oauth2_proxy_dir)/oauth2-proxy
  FT_JAEGER_UI=$(ft_jaeger_ui_dir)
  # Settings the configs read from the environment (overridable).
  export FT_JAEGER_RETENTION=${FABTRACE_JAEGER_RETENTION:-168h}
  export FT_TAIL_DECISION_WAIT=${FABTRACE_TAIL_DECISION_WAIT:-3s}
  export FT_SLOW_TRACE_MS=${FABTRACE_SLOW_TRACE_MS:-1000}
  export FT_SAMPLING_PERCENT=${FABTRACE_SAMPLING_PERCENT:-100}
  export FT_PROMETHEUS_RETENTION=${FABTRACE_PROMETHEUS_RETENTION:-15d}
  # How often Jaeger's dependencies index is refreshed on OpenSearch (the tests wait for it).
  FT_DEPENDENCIES_INTERVAL_S=60 && [[ $FT_PROFILE == test ]] && FT_DEPENDENCIES_INTERVAL_S=10
  export FT_DEPENDENCIES_INTERVAL_S=${FABTRACE_DEPENDENCIES_INTERVAL_S:-$FT_DEPENDENCIES_INTERVAL_S}

  ft_render "$FT_ROOT/deploy/supervisor/supervisord.conf.in" "$FT_STATE/supervisord.conf"
  ft_render "$FT_ROOT/deploy/kafka/server.properties.in" "$FT_STATE/kafka/server.properties"
  ft_render "$FT_ROOT/deploy/toxiproxy/proxies.json.in" "$FT_STATE/toxiproxy/proxies.json"
  ft_render_web_app internet-shop "$FT_PORT_INTERNET_SHOP_WEB" "$FT_PORT_SHOP_API"
  ft_render_web_app crm "$FT_PORT_CRM_WEB" "$FT_PORT_CRM_API"
  ft_render_web_app mes "$FT_PORT_MES_WEB" "$FT_PORT_MES_API"
  ft_render "$FT_ROOT/deploy/prometheus/prometheus.yml.in" "$FT_STATE/prometheus/prometheus.yml"
  /usr/bin/python3 "$FT_ROOT/tools/docs/render_docs.py" "$FT_ROOT/docs" "$FT_STATE/docs-html" ||
    die "rendering the documentation for the gate failed"
  ft_publish_web internet-shop
  ft_publish_web crm
  ft_publish_web mes
  ft_init_postgres
  ft_init_kafka
  if [[ $FT_STORAGE == opensearch ]]; then ft_opensearch_prepare; fi
}

# nginx for one browser application: its port, and the API its /api leads to.
ft_render_web_app() {
  export FT_WEB_APP=$1 FT_WEB_PORT=$2 FT_WEB_API_PORT=$3
  mkdir -p "$FT_STATE"/nginx/"$FT_WEB_APP"/{body,proxy,fastcgi,uwsgi,scgi}
  ft_render "$FT_ROOT/deploy/nginx/web-app.conf.in" "$FT_STATE/nginx/$FT_WEB_APP.conf"
}

# Copies a built browser application into the state directory (readable by nginx's
# workers) with its config.js: where to send traces, and the fault switches (all off).
ft_publish_web() {
  local app=$1 root=$FT_STATE/web/$1
  rm -rf "$root.new" && mkdir -p "$FT_STATE/web" && cp -r "$FT_CACHE/web/$app" "$root.new"
  printf 'window.FABTRACE_CONFIG = {\n  otlpTracesUrl: window.location.origin + "/otlp/v1/traces",\n  environment: "%s",\n  keycloakUrl: "%s://127.0.0.1:%s",\n  faults: {}\n};\n' \
    "$FT_PROFILE" "$FT_SCHEME" "$FT_PORT_KEYCLOAK" >"$root.new/config.js"
  rm -rf "$root" && mv "$root.new" "$root"
}

ft_init_postgres() {
  local data=$FT_STATE/postgres/data
  mkdir -p "$FT_STATE/postgres/socket"
  [[ $(id -u) == 0 ]] && chown -R postgres:postgres "$FT_STATE/postgres"
  [[ -f $data/PG_VERSION ]] && return
  step "postgres: creating the cluster in $data"
  ft_as_pg /usr/lib/postgresql/15/bin/initdb -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >"$FT_LOGS/initdb.log" 2>&1 ||
    die "initdb failed, see $FT_LOGS/initdb.log"
}

ft_kafka_java() { java -Xmx256m -Dlog4j2.configurationFile="$FT_ROOT/deploy/kafka/log4j2.properties" -cp "$FT_KAFKA_LIBS/*" "$@"; }

ft_init_kafka() {
  [[ -f $FT_STATE/kafka/data/meta.properties ]] && return
  step "kafka: formatting the KRaft storage in $FT_STATE/kafka/data"
  local id
  id=$(ft_kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  ft_kafka_java kafka.tools.StorageTool format -t "$id" -c "$FT_STATE/kafka/server.properties" \
    >"$FT_LOGS/kafka-format.log" 2>&1 || die "kafka storage format failed, see $FT_LOGS/kafka-format.log"
}

# Readiness check of one component; true when it serves requests.
ft_ready() {
  case $1 in
    postgres) pg_isready -q -h 127.0.0.1 -p "$FT_PORT_POSTGRES" ;;
    minio) ft_http_ok "http://127.0.0.1:$FT_PORT_MINIO/minio/health/ready" ;;
    kafka) ft_port_open "$FT_PORT_KAFKA_CLIENT" && ft_port_open "$FT_PORT_KAFKA_INTERNAL" ;;
    toxiproxy) ft_http_ok "http://127.0.0.1:$FT_PORT_TOXIPROXY_API/version" ;;
    prometheus) ft_http_ok "http://127.0.0.1:$FT_PORT_PROMETHEUS/-/ready" ;;
    jaeger) ft_http_ok "http://127.0.0.1:$FT_PORT_JAEGER_HEALTH/status" &&
      ft_http_ok "http://127.0.0.1:$FT_PORT_JAEGER_QUERY_HTTP/api/services" ;;
    collector) ft_http_ok "http://127.0.0.1:$FT_PORT_COLLECTOR_HEALTH/" ;;
    gateway-1) ft_http_ok "http://127.0.0.1:$FT_PORT_GATEWAY_1_HEALTH/" ;;
    gateway-2) ft_http_ok "http://127.0.0.1:$FT_PORT_GATEWAY_2_HEALTH/" ;;
    opensearch) ft_opensearch_ready ;;
    jaeger-ingester-1) ft_http_ok "http://127.0.0.1:$FT_PORT_INGESTER_1_HEALTH/status" ;;
    jaeger-ingester-2) ft_http_ok "http://127.0.0.1:$FT_PORT_INGESTER_2_HEALTH/status" ;;
    # No port of its own: ready once supervisor keeps it running.
    jaeger-dependencies) ft_supervisorctl status jaeger-dependencies 2>/dev/null | grep -q RUNNING ;;
    shop-api) ft_http_ok "http://127.0.0.1:$FT_PORT_SHOP_API/readyz" ;;
    crm-api) ft_http_ok "http://127.0.0.1:$FT_PORT_CRM_API/readyz" ;;
    mes-api) ft_http_ok "http://127.0.0.1:$FT_PORT_MES_API/readyz" ;;
    internet-shop) ft_http_ok "$FT_SCHEME://127.0.0.1:$FT_PORT_INTERNET_SHOP_WEB/" ;;
    crm) ft_http_ok "$FT_SCHEME://127.0.0.1:$FT_PORT_CRM_WEB/" ;;
    mes) ft_http_ok "$FT_SCHEME://127.0.0.1:$FT_PORT_MES_WEB/" ;;
    # With TLS, Keycloak's management interface takes the same certificate.
    keycloak) ft_http_ok "$FT_SCHEME://127.0.0.1:$FT_PORT_KEYCLOAK_MANAGEMENT/health/ready" ;;
    jaeger-gate) ft_http_ok "$FT_SCHEME://127.0.0.1:$FT_PORT_JAEGER_GATE/ping" ;;
    *) return 1 ;;
  esac
}

# Our own services are restarted by every `up`, so a rebuilt binary takes effect.
FT_APPS="shop-api crm-api mes-api internet-shop crm mes jaeger-dependencies"

# What a running component was started with: its program section in the rendered
# supervisord.conf and the configuration files it reads. A component whose inputs
# changed since it started is restarted by `up`, so a pulled change takes effect.
ft_component_inputs() {
  local name=$1
  awk -v section="[program:$name]" '$0 == section {on = 1; print; next} /^\[/ {on = 0} on' "$FT_STATE/supervisord.conf"
  case $name in
    # shellcheck disable=SC2086  # the --config list of the storage profile
    jaeger) cat ${FT_JAEGER_CONFIG//--config /} "$FT_ROOT/deploy/jaeger/ui-config.json"; echo "$FT_JAEGER_UI" ;;
    jaeger-ingester-*) cat "$FT_ROOT"/deploy/jaeger/{ingester,opensearch-storage}.yaml ;;
    opensearch) cat "$FT_STATE"/opensearch/config/{opensearch.yml,jvm.options,log4j2.properties} "$FT_STATE/opensearch/home.source" ;;
    collector) cat "$FT_ROOT/deploy/collector/agent.yaml" "$FT_ROOT/deploy/collector/tls.yaml" ;;
    # shellcheck disable=SC2086
    gateway-*) cat "$FT_ROOT/deploy/collector/gateway.yaml" ${FT_GATEWAY_EXPORT_CONFIG//--config /} ;;
    prometheus) cat "$FT_STATE/prometheus/prometheus.yml" "$FT_ROOT"/deploy/prometheus/rules/*.yml ;;
    kafka) cat "$FT_STATE/kafka/server.properties" ;;
    toxiproxy) cat "$FT_STATE/toxiproxy/proxies.json" ;;
  esac
}

ft_inputs_hash() { ft_component_inputs "$1" | sha256sum | cut -c1-16; }

ft_start_component() {
  local name=$1 hash_file=$FT_RUN/$1.inputs
  if [[ " $FT_APPS " == *" $name "* ]]; then
    ft_supervisorctl restart "$name" >/dev/null 2>&1 || true
    return
  fi
  if ft_ready "$name"; then
    if [[ $(cat "$hash_file" 2>/dev/null) == "$(ft_inputs_hash "$name")" ]]; then
      step "$name: already running"
      return
    fi
    step "$name: configuration changed, restarting"
    ft_supervisorctl restart "$name" >/dev/null 2>&1 || true
  else
    ft_supervisorctl start "$name" >/dev/null 2>&1 || true
  fi
  ft_inputs_hash "$name" >"$hash_file"
}

ft_wait_component() {
  local name=$1 started=$2
  if ! ft_wait_for 120 "$name" ft_ready "$name"; then
    tail -n 20 "$FT_LOGS/$name.log" >&2 2>/dev/null
    die "$name did not become ready; log: $FT_LOGS/$name.log"
  fi
  step "$name: ready ($((SECONDS - started))s)"
}

ft_provision() {
  step "provisioning: databases, bucket, topics"
  # The passwords travel on standard input (psql variables, curl's config), not as arguments.
  {
    printf '\\set %s %s\n' shop_user "$FT_SHOPDB_USER" shop_password "$FT_SHOPDB_PASSWORD" \
      mes_user "$FT_MESDB_USER" mes_password "$FT_MESDB_PASSWORD" keycloak_password "$FT_KEYCLOAK_DB_PASSWORD" \
      crm_password "$FT_CRMDB_PASSWORD"
    cat "$FT_ROOT/deploy/postgres/provision.sql"
  } | ft_as_pg psql -q -X -v ON_ERROR_STOP=1 -h "$FT_STATE/postgres/socket" -p "$FT_PORT_POSTGRES" -U postgres -d postgres \
    -f - >"$FT_LOGS/provision-postgres.log" 2>&1 ||
    die "database provisioning failed, see $FT_LOGS/provision-postgres.log"

  local code
  code=$(printf 'user = "%s:%s"\n' "$FT_MINIO_USER" "$FT_MINIO_PASSWORD" |
    curl -s -K - -o "$FT_LOGS/provision-minio.log" -w '%{http_code}' -X PUT \
      --aws-sigv4 "aws:amz:us-east-1:s3" "http://127.0.0.1:$FT_PORT_MINIO/$FT_MODELS_BUCKET")
  [[ $code == 200 || $code == 409 ]] || die "creating bucket $FT_MODELS_BUCKET failed ($code), see $FT_LOGS/provision-minio.log"

  local existing topic
  existing=$(ft_kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$FT_PORT_KAFKA_PROXY" --list 2>>"$FT_LOGS/provision-kafka.log") ||
    die "listing kafka topics failed, see $FT_LOGS/provision-kafka.log"
  for topic in $FT_KAFKA_TOPICS; do
    grep -qx "$topic" <<<"$existing" && continue
    ft_kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$FT_PORT_KAFKA_PROXY" \
      --create --if-not-exists --topic "$topic" --partitions 3 --replication-factor 1 >>"$FT_LOGS/provision-kafka.log" 2>&1 ||
      die "creating kafka topic $topic failed, see $FT_LOGS/provision-kafka.log"
  done
}

# The realm of the landscape, rendered from deploy/keycloak/fabtrace-realm.json.in with
# this state directory's secrets, straight into a pipe (it is never written to disk).
ft_realm_json() {
  FT_GATE_PORT_UP=$(ft_port_of JAEGER_GATE up) FT_GATE_PORT_TEST=$(ft_port_of JAEGER_GATE test) \
    ft_with_secrets envsubst '$FT_GATE_PORT_UP $FT_GATE_PORT_TEST $FT_GATE_CLIENT_SECRET $FT_SUPPORT_PASSWORD $FT_MANAGER_PASSWORD $FT_CUSTOMER_PASSWORD $FT_OPERATOR_PASSWORD' \
    <"$FT_ROOT/deploy/keycloak/fabtrace-realm.json.in"
}

# Creates the realm through Keycloak's admin API on the first start; later, a realm
# file that gained a client, role or user since is applied (existing ones are kept).
ft_keycloak_sync() {
  local token answer keycloak=$FT_SCHEME://127.0.0.1:$FT_PORT_KEYCLOAK
  local admin=$keycloak/admin/realms
  local curl=(curl ${FT_TLS_CA:+--cacert "$FT_TLS_CA"})
  token=$("${curl[@]}" -sf -X POST "$keycloak/realms/master/protocol/openid-connect/token" \
    --data-urlencode grant_type=password --data-urlencode client_id=admin-cli \
    --data-urlencode "username=$FT_KEYCLOAK_ADMIN"  --data-urlencode "password@-" < <(printf %s "$FT_KEYCLOAK_ADMIN_PASSWORD") |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') ||
    die "keycloak: no admin token (is $FT_KEYCLOAK_ADMIN the bootstrap admin?)"
  # The admin token lives a minute; it is the only credential given as an argument.
  local auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
  if [[ $("${curl[@]}" -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$admin/fabtrace") == 404 ]]; then
    ft_realm_json | "${curl[@]}" -sf -o /dev/null -X POST "$admin" "${auth[@]}" --data-binary @- ||
      die "keycloak: creating realm fabtrace failed"
    step "keycloak: realm fabtrace created from deploy/keycloak/fabtrace-realm.json.in"
    return
  fi
  answer=$(ft_realm_json | python3 -c 'import json,sys; realm = json.load(sys.stdin); realm["ifResourceExists"] = "SKIP"; print(json.dumps(realm))' |
    "${curl[@]}" -sf -X POST "$admin/fabtrace/partialImport" "${auth[@]}" --data-binary @-) ||
    die "keycloak: updating realm fabtrace from the realm file failed"
  # Where each client may send people back (http and https) follows the file too.
  local client body id
  while IFS=$'\t' read -r client body; do
    id=$("${curl[@]}" -sf "${auth[@]}" "$admin/fabtrace/clients?clientId=$client" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])') || continue
    "${curl[@]}" -sf -o /dev/null -X PUT "${auth[@]}" "$admin/fabtrace/clients/$id" --data-binary "$body" ||
      die "keycloak: updating the addresses of client $client failed"
  done < <(ft_realm_json | python3 -c '
import json, sys
for c in json.load(sys.stdin).get("clients", []):
    keep = {k: c[k] for k in ("redirectUris", "webOrigins") if k in c}
    if "post.logout.redirect.uris" in c.get("attributes", {}):
        keep["attributes"] = {"post.logout.redirect.uris": c["attributes"]["post.logout.redirect.uris"]}
    print(c["clientId"], json.dumps(keep), sep="\t")')
  step "keycloak: realm fabtrace in step with its file ($(python3 -c 'import json,sys; print(json.load(sys.stdin).get("added", 0))' <<<"$answer") added)"
}

# What the whole landscape takes (./fabtrace status: about 1.8 GiB with one gateway and
# the simulated customers, docs/operations.md) plus room for its caches and spikes.
FT_MEMORY_NEEDED_MIB=${FABTRACE_MEMORY_NEEDED_MIB:-2560}

# Warns (it does not stop) when the machine has less memory available than the landscape
# needs; a running landscape already holds its share, so only a first start is checked.
ft_memory_check() {
  local available
  available=$(awk '/^MemAvailable:/ {print int($2 / 1024)}' /proc/meminfo)
  if ((available < FT_MEMORY_NEEDED_MIB)); then
    step "WARNING: ${available} MiB of memory available, the landscape needs about ${FT_MEMORY_NEEDED_MIB} MiB:" \
      "components may be killed or swap; close other programs (./fabtrace status shows each one's share)"
    return 1
  fi
  return 0
}

ft_up() {
  local group name group_started starting changed stopping=()
  ft_prepare_state
  ft_supervisor_running || ft_memory_check || true
  if ! ft_supervisor_running; then
    step "supervisor: starting (config $FT_STATE/supervisord.conf)"
    supervisord -c "$FT_STATE/supervisord.conf" || die "supervisord did not start"
    ft_wait_for 10 supervisor ft_supervisor_running || die "supervisord did not start"
  else
    # What changed (the doors in TLS mode, the exporters of another storage) stops side by
    # side before `update` replaces it; update alone stops one program after the other.
    changed=$(ft_supervisorctl reread | awk '/: changed$/ {sub(/: changed$/, ""); print}')
    for name in $changed; do
      ft_supervisorctl stop "$name" >/dev/null 2>&1 &
      stopping+=($!)
    done
    ((${#stopping[@]} == 0)) || wait "${stopping[@]}" || true
    ft_supervisorctl update >/dev/null
  fi
  for group in "${FT_GROUPS[@]}"; do
    group_started=$SECONDS
    # The members of a group start side by side: supervisorctl waits out each program's
    # startsecs, which one after another cost ~1.3 s a program.
    starting=()
    for name in $group; do
      if ft_component_enabled "$name"; then
        ft_start_component "$name" &
        starting+=($!)
      else
        ft_supervisorctl stop "$name" >/dev/null 2>&1 || true
      fi
    done
    ((${#starting[@]} == 0)) || wait "${starting[@]}"
    for name in $group; do
      if ft_component_enabled "$name"; then ft_wait_component "$name" "$group_started"; fi
    done
    [[ $group == toxiproxy ]] && ft_provision
    # Retention on OpenSearch: Jaeger's index cleaner at each up (docs/operations.md).
    [[ $group == jaeger && $FT_STORAGE == opensearch ]] && ft_opensearch_clean_indices
    [[ $group == *keycloak* ]] && ft_keycloak_sync
  done
  ft_traffic
  return 0
}

# Simulated customers keep fresh traces in Jaeger (not in the test profile, whose
# traces the tests assert on). FABTRACE_TRAFFIC=off switches them off.
ft_traffic() {
  if [[ $FT_PROFILE == up && ${FABTRACE_TRAFFIC:-on} != off ]]; then
    ft_supervisorctl start traffic >/dev/null 2>&1 || true
    step "traffic: simulated customers are shopping (FABTRACE_TRAFFIC=off to stop them)"
  else
    ft_supervisorctl stop traffic >/dev/null 2>&1 || true
  fi
}

ft_down() {
  if ! ft_supervisor_running; then
    step "nothing running for profile $FT_PROFILE (state $FT_STATE)"
    return
  fi
  local i group
  # Reverse dependency order: producers of telemetry first, storage last.
  ft_supervisorctl stop traffic >/dev/null 2>&1 || true
  for ((i = ${#FT_GROUPS[@]} - 1; i >= 0; i--)); do
    group=${FT_GROUPS[i]}
    step "stopping: $group"
    # shellcheck disable=SC2086
    ft_supervisorctl stop $group >/dev/null || true
  done
  local pid
  pid=$(ft_supervisorctl pid)
  ft_supervisorctl shutdown >/dev/null
  ft_wait_for 30 "supervisor shutdown" ft_process_gone "$pid" || true
  step "stopped; data kept in $FT_STATE"
}

# ft_tree_rss_mib PID PS_SNAPSHOT: memory of PID and all its descendants in MiB (0 if none),
# as their proportional set size (PSS): memory shared between processes (PostgreSQL's
# shared buffers, mapped libraries) counts once in all, not once per process.
ft_tree_rss_mib() {
  local pid kib=0 pss
  [[ ${1:-0} != 0 ]] || { echo 0; return; }
  for pid in "$1" $(awk '{print $1, $2}' <<<"$2" | ft_descendants "$1"); do
    pss=$(awk '/^Pss:/ {print $2; exit}' "/proc/$pid/smaps_rollup" 2>/dev/null) || pss=0
    kib=$((kib + ${pss:-0}))
  done
  echo $((kib / 1024))
}

ft_status() {
  if ! ft_supervisor_running; then
    step "not running (profile $FT_PROFILE, state $FT_STATE)"
    return 1
  fi
  # The scheme the running landscape was started with (`up` rendered it into its configuration).
  local conf=$FT_STATE/supervisord.conf
  FT_SCHEME=http FT_TLS_CA=
  if grep -q 'OTEL_EXPORTER_OTLP_ENDPOINT="https://' "$conf" 2>/dev/null; then
    FT_SCHEME=https
    FT_TLS_CA=$(grep -o 'OTEL_EXPORTER_OTLP_CERTIFICATE="[^"]*"' "$conf" | head -n 1 | cut -d'"' -f2)
  fi
  local group name state=0 rss total=0 tree
  # Memory of each component's whole process tree (PostgreSQL's backends, nginx's workers,
  # Keycloak's JVM under its launcher), from one ps snapshot.
  tree=$(ps -e -o pid=,ppid=,rss=)
  for group in "${FT_GROUPS[@]}"; do
    for name in $group; do
      ft_component_enabled "$name" || continue
      rss=$(ft_tree_rss_mib "$(ft_supervisorctl pid "$name" 2>/dev/null)" "$tree")
      total=$((total + rss))
      if ft_ready "$name"; then printf '  %-14s ready      %6s MiB\n' "$name" "$rss"; else
        printf '  %-14s NOT READY (%s)\n' "$name" "$(ft_supervisorctl status "$name" | awk '{print $2}')"
        state=1
      fi
    done
  done
  if ft_supervisorctl status traffic 2>/dev/null | grep -q RUNNING; then
    rss=$(ft_tree_rss_mib "$(ft_supervisorctl pid traffic)" "$tree")
    total=$((total + rss))
    printf '  %-14s running    %6s MiB\n' traffic "$rss"
  fi
  printf '  %-14s            %6s MiB in all (proportional set size: shared pages counted once)\n' total "$total"
  return $state
}

ft_print_summary() {
  cat <<EOF

fabtrace landscape is up (profile $FT_PROFILE, data in $FT_STATE)

  Jaeger UI (for support)   $FT_SCHEME://127.0.0.1:$FT_PORT_JAEGER_GATE   role Support_tracing: sasha.support / $FT_SUPPORT_PASSWORD
                            (without it: maria.manager / $FT_MANAGER_PASSWORD, carl.customer / $FT_CUSTOMER_PASSWORD)
  Jaeger query (loopback)   http://127.0.0.1:$FT_PORT_JAEGER_QUERY_HTTP   (for tools on this machine; people use the gate)
  Prometheus                http://127.0.0.1:$FT_PORT_PROMETHEUS   (technical metrics: ./fabtrace report; alerts: /alerts)
  OTLP, services (token)    grpc 127.0.0.1:$FT_PORT_COLLECTOR_OTLP_GRPC, http $FT_SCHEME://127.0.0.1:$FT_PORT_COLLECTOR_OTLP_HTTP/v1/traces
  OTLP, browsers            each application's /otlp/v1/traces (nginx -> 127.0.0.1:$FT_PORT_COLLECTOR_OTLP_PUBLIC)
  Collector health          http://127.0.0.1:$FT_PORT_COLLECTOR_HEALTH/
  Span metrics (Prometheus) http://127.0.0.1:$FT_PORT_GATEWAY_1_SPANMETRICS/metrics (gateway 1 of $FT_GATEWAYS)
  PostgreSQL (via proxies)  127.0.0.1:$FT_PORT_POSTGRES_PROXY shopdb (role $FT_SHOPDB_USER), 127.0.0.1:$FT_PORT_MESDB_PROXY mesdb (role $FT_MESDB_USER)
  S3, MinIO (via proxy)     http://127.0.0.1:$FT_PORT_MINIO_PROXY   bucket $FT_MODELS_BUCKET (user $FT_MINIO_USER)
  MinIO console             http://127.0.0.1:$FT_PORT_MINIO_CONSOLE
  Kafka (via proxy)         127.0.0.1:$FT_PORT_KAFKA_PROXY   topics: $FT_KAFKA_TOPICS
  Keycloak                  $FT_SCHEME://127.0.0.1:$FT_PORT_KEYCLOAK/admin   user $FT_KEYCLOAK_ADMIN (realm fabtrace)
  toxiproxy API (faults)    http://127.0.0.1:$FT_PORT_TOXIPROXY_API/proxies
  Shop API                  http://127.0.0.1:$FT_PORT_SHOP_API   (OpenAPI: /openapi.yaml)
  CRM API                   http://127.0.0.1:$FT_PORT_CRM_API   (OpenAPI: /openapi.yaml; Keycloak token of a crm_manager, client crm-web)
  InternetShop              $FT_SCHEME://127.0.0.1:$FT_PORT_INTERNET_SHOP_WEB
  MES API                   http://127.0.0.1:$FT_PORT_MES_API   (OpenAPI: /openapi.yaml; Keycloak token of a mes_operator, client mes-web)
  CRM (managers)            $FT_SCHEME://127.0.0.1:$FT_PORT_CRM_WEB   maria.manager / $FT_MANAGER_PASSWORD
  MES (production)          $FT_SCHEME://127.0.0.1:$FT_PORT_MES_WEB   otto.operator / $FT_OPERATOR_PASSWORD

  Passwords and secrets of this install (generated at its first start, owner only):
                            $(ft_secrets_file)
$(ft_tls_enabled && printf '  TLS (FABTRACE_TLS=1)      CA to trust: %s\n' "$FT_TLS_CA")

  status: ./fabtrace status    report: ./fabtrace report    logs: ./fabtrace logs <component>    stop: ./fabtrace down
EOF
}
