# Shared definitions for the fabtrace command: paths, profiles, ports, logging.
# Sourced by ./fabtrace; not meant to be run on its own.

FT_ROOT=${FT_ROOT:?FT_ROOT must point at the repository}

# Downloads and builds, shared by every profile; never inside the repository.
FT_CACHE=${FABTRACE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fabtrace}

# shellcheck source=../deploy/versions.env
. "$FT_ROOT/deploy/versions.env"

log() { printf '%s\n' "$*" >&2; }
step() { printf '[fabtrace %dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }
die() {
  printf '[fabtrace] error: %s\n' "$*" >&2
  exit 1
}

# A profile is a set of ports (a column of deploy/ports.conf) and a state directory.
#   up:   the landscape a developer works with; data survives `down`.
#   test: the private instance of `./fabtrace test`, thrown away afterwards.
ft_use_profile() {
  FT_PROFILE=$1
  local column
  case $FT_PROFILE in
    up) column=2 ;;
    test) column=3 ;;
    *) die "unknown profile $FT_PROFILE" ;;
  esac
  if [[ $FT_PROFILE == up ]]; then
    if [[ $(id -u) == 0 ]]; then
      # root's home is closed to the postgres account that runs the database.
      FT_STATE=${FABTRACE_STATE:-/var/lib/fabtrace}
    else
      FT_STATE=${FABTRACE_STATE:-${XDG_STATE_HOME:-$HOME/.local/state}/fabtrace}
    fi
  else
    FT_STATE=${FABTRACE_TEST_STATE:-/tmp/fabtrace-test}
  fi
  local name up test
  while read -r name up test _; do
    [[ -z $name || $name == \#* ]] && continue
    case $column in
      2) printf -v "FT_PORT_$name" '%s' "$up" ;;
      3) printf -v "FT_PORT_$name" '%s' "$test" ;;
    esac
    export "FT_PORT_$name"
  done <"$FT_ROOT/deploy/ports.conf"
  export FT_PROFILE FT_STATE FT_ROOT FT_CACHE
  export FT_RUN=$FT_STATE/run FT_LOGS=$FT_STATE/logs
  # Gateway Collectors behind the agent: one for `up`, two for the test instance, which
  # proves that every span of a trace reaches the same one (FABTRACE_GATEWAYS: 1 or 2).
  FT_GATEWAYS=${FABTRACE_GATEWAYS:-$([[ $FT_PROFILE == test ]] && echo 2 || echo 1)}
  [[ $FT_GATEWAYS == [12] ]] || die "FABTRACE_GATEWAYS must be 1 or 2 (ports for two are in deploy/ports.conf)"
  local gateway endpoints=() spanmetrics=() telemetry=("127.0.0.1:$FT_PORT_COLLECTOR_TELEMETRY")
  for ((gateway = 1; gateway <= FT_GATEWAYS; gateway++)); do
    local otlp=FT_PORT_GATEWAY_${gateway}_OTLP metrics=FT_PORT_GATEWAY_${gateway}_SPANMETRICS own=FT_PORT_GATEWAY_${gateway}_TELEMETRY
    endpoints+=("\"127.0.0.1:${!otlp}\"") spanmetrics+=("\"127.0.0.1:${!metrics}\"") telemetry+=("\"127.0.0.1:${!own}\"")
  done
  telemetry[0]="\"${telemetry[0]}\""
  # YAML flow lists: the agent's load-balancing resolver and Prometheus's targets.
  FT_GATEWAY_ENDPOINTS="[$(IFS=,; echo "${endpoints[*]}")]"
  FT_GATEWAY_SPANMETRICS_TARGETS="[$(IFS=,; echo "${spanmetrics[*]}")]"
  FT_COLLECTOR_TELEMETRY_TARGETS="[$(IFS=,; echo "${telemetry[*]}")]"
  export FT_GATEWAYS FT_GATEWAY_ENDPOINTS FT_GATEWAY_SPANMETRICS_TARGETS FT_COLLECTOR_TELEMETRY_TARGETS
  # Where Jaeger keeps traces (docs/decisions.md): badger, embedded, one process; or
  # opensearch, the distributed profile: gateways -> Kafka -> two Jaeger ingesters ->
  # OpenSearch, and Jaeger itself only answers queries.
  FT_STORAGE=${FABTRACE_STORAGE:-badger}
  case $FT_STORAGE in
    badger)
      FT_JAEGER_CONFIG="--config $FT_ROOT/deploy/jaeger/config.yaml"
      FT_GATEWAY_EXPORT_CONFIG= ;;
    opensearch)
      FT_JAEGER_CONFIG="--config $FT_ROOT/deploy/jaeger/config-opensearch.yaml --config $FT_ROOT/deploy/jaeger/opensearch-storage.yaml"
      FT_GATEWAY_EXPORT_CONFIG="--config $FT_ROOT/deploy/collector/gateway-kafka.yaml" ;;
    *) die "FABTRACE_STORAGE must be badger (the default) or opensearch" ;;
  esac
  # How Jaeger reaches OpenSearch (scripts/opensearch.sh makes the files).
  FT_OPENSEARCH_URL=https://127.0.0.1:$FT_PORT_OPENSEARCH_HTTP
  FT_OPENSEARCH_CA=$FT_STATE/tls/ca.crt
  FT_OPENSEARCH_PASSWORD_FILE=$FT_STATE/secrets/opensearch-jaeger.password
  export FT_STORAGE FT_JAEGER_CONFIG FT_GATEWAY_EXPORT_CONFIG FT_OPENSEARCH_URL FT_OPENSEARCH_CA FT_OPENSEARCH_PASSWORD_FILE
}

# Names of the local landscape's accounts. Their passwords and secrets are generated per
# state directory (scripts/secrets.sh); none is written here.
export FT_MINIO_USER=fabtrace-admin
export FT_MODELS_BUCKET=models-3d
export FT_SHOPDB_USER=shop FT_CRMDB_USER=crm FT_MESDB_USER=mes
export FT_KEYCLOAK_ADMIN=admin
# The example people of the realm (README): demonstration accounts of the local landscape
# only, with documented passwords so a developer can sign in as each role.
export FT_SUPPORT_PASSWORD=support-secret-1 FT_MANAGER_PASSWORD=manager-secret-1 FT_CUSTOMER_PASSWORD=customer-secret-1
export FT_OPERATOR_PASSWORD=operator-secret-1
# libtest.events: the Kafka library's own integration tests, apart from the services' topics.
export FT_KAFKA_TOPICS="orders.approved orders.approved.dlq jobs.status jobs.status.dlq libtest.events libtest.events.dlq traces.spans"
# The gateways' spans on their way to the Jaeger ingesters (FABTRACE_STORAGE=opensearch).
export FT_KAFKA_SPANS_TOPIC=traces.spans

# The account PostgreSQL runs as: itself when not root (postgres refuses root).
ft_pg_user() {
  if [[ $(id -u) == 0 ]]; then echo postgres; else id -un; fi
}

# Runs a command as the PostgreSQL account.
ft_as_pg() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Waits until a command succeeds, at most $1 seconds; prints nothing on success.
ft_wait_for() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "  $what not ready after ${timeout}s"
      return 1
    fi
    sleep 0.5
  done
}

# A port of deploy/ports.conf in a given profile's column (up or test).
ft_port_of() { awk -v name="$1" -v column="$([[ $2 == up ]] && echo 2 || echo 3)" '$1 == name {print $column}' "$FT_ROOT/deploy/ports.conf"; }

# ft_descendants ROOT < "pid ppid" lines: the pids below ROOT (not ROOT itself).
ft_descendants() {
  awk -v root="$1" '
    {parent[$1] = $2}
    END {for (p in parent) {q = p; while (q in parent && q != root && q > 1) q = parent[q]; if (q == root && p != root) print p}}'
}

ft_http_ok() { curl -fs -m 2 ${FT_TLS_CA:+--cacert "$FT_TLS_CA"} -o /dev/null "$1" 2>/dev/null; }
ft_process_gone() { ! kill -0 "$1" 2>/dev/null; }
ft_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
