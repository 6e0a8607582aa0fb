# OpenSearch as Jaeger's storage in the distributed profile (FABTRACE_STORAGE=opensearch):
# one node on 127.0.0.1, HTTPS and basic auth through the security plugin, certificates
# from the landscape's local CA (scripts/tls.sh). The node runs as an unprivileged
# account (it refuses root) from deploy/opensearch/run.sh under the supervisor.
# Sourced by ./fabtrace after scripts/install.sh.

# The account the node runs as when ./fabtrace runs as root: its own system account,
# created at the first start (nobody would share the node's key and data with nginx's
# workers, which run as nobody).
FT_OPENSEARCH_RUN_USER=${FABTRACE_OPENSEARCH_USER:-fabtrace-opensearch}

ft_opensearch_home() {
  local dir=$FT_ROOT/deploy/opensearch
  echo "$FT_CACHE/opensearch-$OPENSEARCH_VERSION-$(ft_hash_files "$dir/pom.xml" "$dir"/descriptors/*/* \
    <(echo "security $OPENSEARCH_SECURITY_VERSION"))"
}

ft_install_opensearch() {
  local home
  home=$(ft_opensearch_home)
  ft_maven_build "$home" "opensearch $OPENSEARCH_VERSION with the security plugin" "$FT_ROOT/deploy/opensearch/pom.xml" \
    -Dopensearch.version="$OPENSEARCH_VERSION" -Dopensearch.security.version="$OPENSEARCH_SECURITY_VERSION" \
    -Dhome="$home.tmp" package
  # The server insists on these folders; it writes nowhere in its home.
  mkdir -p "$home/bin" "$home/plugins"
}

# Where the node's files are; the admin certificate stays in the root-only tls folder.
ft_opensearch_dir() { echo "$FT_STATE/opensearch"; }
# (FT_OPENSEARCH_URL, FT_OPENSEARCH_CA and this file's path are set by ft_use_profile.)
ft_opensearch_password_file() { echo "$FT_OPENSEARCH_PASSWORD_FILE"; }

# Hash of the security configuration the node should have (ft_opensearch_ready applies it).
ft_opensearch_security_hash() { ft_hash_files "$(ft_opensearch_dir)"/config/opensearch-security/*.yml; }

# Prepares $FT_STATE/opensearch for run.sh: a home the node's account can read, the
# configuration, certificates, the security configuration with the hash of Jaeger's
# password (FT_OPENSEARCH_PASSWORD from ft_load_secrets). Exports what Jaeger reads.
ft_opensearch_prepare() {
  local dir source user= pwfile
  dir=$(ft_opensearch_dir)
  source=$(ft_opensearch_home)
  pwfile=$(ft_opensearch_password_file)
  [[ -f $source/.complete ]] || die "opensearch is not installed ($source)"
  [[ -n ${FT_OPENSEARCH_PASSWORD:-} ]] || die "FT_OPENSEARCH_PASSWORD is not set (scripts/secrets.sh)"
  if [[ $(id -u) == 0 ]]; then
    user=$FT_OPENSEARCH_RUN_USER
    if ! id -u "$user" >/dev/null 2>&1; then
      step "opensearch: creating the system account $user"
      useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
        die "creating the account $user failed"
    fi
  fi
  mkdir -p "$dir"/{config/opensearch-security,data,logs,tmp} "$FT_LOGS"
  # The installation, readable by the node's account (the cache may be in root's closed
  # home): hard links when on the same file system, a copy otherwise. Never written to.
  if [[ $(cat "$dir/home.source" 2>/dev/null) != "$source" || ! -d $dir/home/lib ]]; then
    step "opensearch: linking the installation into $dir/home"
    rm -rf "$dir/home" "$dir/home.new"
    cp -al "$source" "$dir/home.new" 2>/dev/null || { rm -rf "$dir/home.new" && cp -a "$source" "$dir/home.new"; } ||
      die "copying $source to $dir failed"
    mv "$dir/home.new" "$dir/home" && echo "$source" >"$dir/home.source"
  fi

  ft_tls_local_ca "$FT_STATE/tls"
  # The node's certificate and the admin's (securityadmin), signed by the local CA.
  ft_tls_issue "$FT_STATE/tls" "$dir/config" node "/O=fabtrace/OU=opensearch/CN=node" "the opensearch node certificate" \
    'subjectAltName=IP:127.0.0.1,DNS:localhost' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth,clientAuth'
  ft_tls_issue "$FT_STATE/tls" "$FT_STATE/tls" opensearch-admin "/O=fabtrace/OU=opensearch/CN=admin" \
    "the opensearch admin certificate" 'keyUsage=critical,digitalSignature' 'extendedKeyUsage=clientAuth'
  cp "$FT_STATE/tls/ca.crt" "$dir/config/ca.crt"

  ft_render "$FT_ROOT/deploy/opensearch/opensearch.yml.in" "$dir/config/opensearch.yml"
  cp "$FT_ROOT"/deploy/opensearch/{jvm.options,log4j2.properties} "$dir/config/"
  cp "$FT_ROOT"/deploy/opensearch/security/*.yml "$dir/config/opensearch-security/"
  # bcrypt is slow by design (about a second with the JVM): only for a new password.
  local users=$dir/config/opensearch-security/internal_users.yml
  if [[ ! -s $users || ! -f $pwfile || $(<"$pwfile") != "$FT_OPENSEARCH_PASSWORD" ||
    $(cat "$dir/internal_users.source" 2>/dev/null) != "$(ft_hash_files "$FT_ROOT/deploy/opensearch/security/internal_users.yml.in")" ]]; then
    step "opensearch: hashing the password of user jaeger"
    local hash
    hash=$(FT_OPENSEARCH_HASH_INPUT=$FT_OPENSEARCH_PASSWORD java -cp "$dir/home/plugins/opensearch-security/*:$dir/home/lib/*" \
      org.opensearch.security.tools.Hasher -env FT_OPENSEARCH_HASH_INPUT 2>>"$FT_LOGS/opensearch-hash.log" | grep '^\$2') ||
      die "hashing the opensearch password failed, see $FT_LOGS/opensearch-hash.log"
    (umask 077 && FT_OPENSEARCH_JAEGER_HASH=$hash envsubst '$FT_OPENSEARCH_JAEGER_HASH' \
      <"$FT_ROOT/deploy/opensearch/security/internal_users.yml.in" >"$users")
    (umask 077 && printf '%s' "$FT_OPENSEARCH_PASSWORD" >"$pwfile")
    ft_hash_files "$FT_ROOT/deploy/opensearch/security/internal_users.yml.in" >"$dir/internal_users.source"
  fi
  # A new node creates its security index from these files at its first start; a node
  # with data gets changed files from ft_opensearch_ready (securityadmin).
  [[ -d $dir/data/nodes ]] || ft_opensearch_security_hash >"$dir/security.applied"
  if [[ -n $user ]]; then
    chown -R "$user:" "$dir"/{config,data,logs,tmp}
  fi
  # The security plugin warns about configuration readable by others.
  chmod -R go-rwx "$dir"/{config,data,logs,tmp}
}

# curl as user jaeger; the password travels in curl's configuration on standard input.
ft_opensearch_curl() {
  local pwfile
  pwfile=$(ft_opensearch_password_file)
  printf 'user = "jaeger:%s"\n' "$(cat "$pwfile")" |
    curl -s -K - --cacert "$FT_STATE/tls/ca.crt" "$@"
}

# Uploads the security configuration of config/opensearch-security (a new password, a
# changed role) into the running node's security index with the admin certificate: the
# index is created from the files only at the first start.
ft_opensearch_apply_security() {
  local dir wanted log=$FT_LOGS/opensearch-securityadmin.log
  dir=$(ft_opensearch_dir)
  wanted=$(ft_opensearch_security_hash)
  [[ $(cat "$dir/security.applied" 2>/dev/null) == "$wanted" ]] && return 0
  step "opensearch: applying the changed security configuration (securityadmin)"
  local plugin=$dir/home/plugins/opensearch-security
  java -Xmx64m -cp "$plugin/*:$plugin/deps/*:$dir/home/lib/*" org.opensearch.security.tools.SecurityAdmin \
    -cd "$dir/config/opensearch-security" -h 127.0.0.1 -p "$FT_PORT_OPENSEARCH_HTTP" -nhnv -icl \
    -cacert "$FT_STATE/tls/ca.crt" -cert "$FT_STATE/tls/opensearch-admin.crt" -key "$FT_STATE/tls/opensearch-admin.key" \
    >"$log" 2>&1 || { log "  securityadmin failed, see $log"; return 1; }
  echo "$wanted" >"$dir/security.applied"
}

# Ready when user jaeger gets a green or yellow cluster health: the node serves HTTPS and
# its security index holds our configuration. A node that answers but refuses jaeger's
# password, or runs an older configuration, gets the current one first.
ft_opensearch_ready() {
  local answer
  answer=$(ft_opensearch_curl -m 3 -w '\n%{http_code}' "https://127.0.0.1:$FT_PORT_OPENSEARCH_HTTP/_cluster/health") || return 1
  case ${answer##*$'\n'} in
    200) ft_opensearch_apply_security || return 1
      [[ $answer =~ \"status\":\"(green|yellow)\" ]] ;;
    401) ft_opensearch_apply_security; return 1 ;;
    *) return 1 ;;
  esac
}

# Retention: Jaeger's index cleaner, built from the same module as Jaeger (deploy/go/jaeger).
ft_es_index_cleaner_bin() { echo "$(dirname "$(ft_jaeger_bin)")/es-index-cleaner"; }

ft_install_es_index_cleaner() {
  local bin
  bin=$(ft_es_index_cleaner_bin)
  if [[ -x $bin ]]; then
    step "jaeger index cleaner: cached (module $JAEGER_MODULE_VERSION)"
    return
  fi
  step "jaeger index cleaner: building from deploy/go/jaeger"
  local log=$FT_CACHE/logs/build-es-index-cleaner.log
  mkdir -p "$(dirname "$bin")"
  (cd "$FT_ROOT/deploy/go/jaeger" &&
    env "${FT_GO_ENV[@]}" go build -trimpath -ldflags='-s -w' -o "$bin.tmp" \
      github.com/jaegertracing/jaeger/cmd/es-index-cleaner) >"$log" 2>&1 || die "index cleaner build failed, see $log"
  mv "$bin.tmp" "$bin"
}

# Deletes Jaeger's daily indices older than FT_JAEGER_RETENTION (a Go duration in hours,
# such as 168h), rounded up to whole days: the cleaner keeps today and the days before
# it, by each index's creation time. The password reaches it in its environment.
ft_opensearch_clean_indices() {
  local hours days
  [[ $FT_JAEGER_RETENTION =~ ^([0-9]+)h$ ]] || die "FT_JAEGER_RETENTION must be whole hours (such as 168h), not $FT_JAEGER_RETENTION"
  hours=${BASH_REMATCH[1]}
  days=$(((hours + 23) / 24))
  ((days >= 1)) || days=1
  step "opensearch: retention, dropping trace indices older than $days days (Jaeger's index cleaner)"
  ES_PASSWORD=$(cat "$(ft_opensearch_password_file)") "$(ft_es_index_cleaner_bin)" "$days" \
    "https://127.0.0.1:$FT_PORT_OPENSEARCH_HTTP" --es.username jaeger \
    --es.tls.enabled --es.tls.ca "$FT_STATE/tls/ca.crt" --index-prefix fabtrace \
    >>"$FT_LOGS/opensearch-retention.log" 2>&1 || die "the index cleaner failed, see $FT_LOGS/opensearch-retention.log"
}
