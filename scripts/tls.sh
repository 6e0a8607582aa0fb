# TLS mode (FABTRACE_TLS=1): HTTPS for the gate, Keycloak and the browser applications,
# TLS on the Collector's OTLP doors. Every component reads its certificate and key paths
# from the FT_TLS_* variables set here (rendered into its configuration), so a real
# deployment points them at its own files: FABTRACE_TLS_CERT, FABTRACE_TLS_KEY and
# FABTRACE_TLS_CA. Without them, ./fabtrace makes a local CA once per state directory
# and a server certificate for 127.0.0.1 and localhost signed by it (docs/security.md).
# Sourced by ./fabtrace after scripts/common.sh.

ft_tls_enabled() { [[ ${FABTRACE_TLS:-0} == 1 ]]; }

# Sets the scheme of every TLS-capable door and, in TLS mode, the certificate paths.
ft_tls_prepare() {
  export FT_TLS=0 FT_SCHEME=http FT_TLS_CA= FT_TLS_CERT= FT_TLS_KEY=
  export FT_COLLECTOR_TLS_CONFIG= FT_WEB_LISTEN_TLS= FT_WEB_TLS_FILES= FT_WEB_OTLP_TLS=
  export FT_KEYCLOAK_LISTEN="--http-enabled=true --http-port=$FT_PORT_KEYCLOAK"
  export FT_GATE_LISTEN="--http-address=127.0.0.1:$FT_PORT_JAEGER_GATE --cookie-secure=false"
  ft_tls_enabled || return 0
  [[ ${FABTRACE_TLS:-} == 1 ]] || die "FABTRACE_TLS must be 1 or unset"
  local dir=$FT_STATE/tls
  if [[ -n ${FABTRACE_TLS_CERT:-} || -n ${FABTRACE_TLS_KEY:-} ]]; then
    [[ -r ${FABTRACE_TLS_CERT:-} && -r ${FABTRACE_TLS_KEY:-} && -r ${FABTRACE_TLS_CA:-} ]] ||
      die "FABTRACE_TLS_CERT, FABTRACE_TLS_KEY and FABTRACE_TLS_CA must all name readable PEM files"
    FT_TLS_CERT=$FABTRACE_TLS_CERT FT_TLS_KEY=$FABTRACE_TLS_KEY FT_TLS_CA=$FABTRACE_TLS_CA
  else
    ft_tls_local_ca "$dir"
    FT_TLS_CERT=$dir/server.crt FT_TLS_KEY=$dir/server.key FT_TLS_CA=$dir/ca.crt
  fi
  FT_TLS=1 FT_SCHEME=https
  FT_COLLECTOR_TLS_CONFIG="--config=$FT_ROOT/deploy/collector/tls.yaml"
  FT_WEB_LISTEN_TLS=" ssl"
  FT_WEB_TLS_FILES="ssl_certificate $FT_TLS_CERT; ssl_certificate_key $FT_TLS_KEY; ssl_protocols TLSv1.2 TLSv1.3;"
  # nginx checks the Collector's certificate by name (it matches no IP address): localhost.
  FT_WEB_OTLP_TLS="proxy_ssl_verify on; proxy_ssl_trusted_certificate $FT_TLS_CA; proxy_ssl_name localhost;"
  FT_KEYCLOAK_LISTEN="--http-enabled=false --https-port=$FT_PORT_KEYCLOAK"
  FT_KEYCLOAK_LISTEN+=" --https-certificate-file=$FT_TLS_CERT --https-certificate-key-file=$FT_TLS_KEY"
  FT_GATE_LISTEN="--http-address= --https-address=127.0.0.1:$FT_PORT_JAEGER_GATE --cookie-secure=true"
  FT_GATE_LISTEN+=" --tls-cert-file=$FT_TLS_CERT --tls-key-file=$FT_TLS_KEY --tls-min-version=TLS1.2"
  FT_GATE_LISTEN+=" --provider-ca-file=$FT_TLS_CA"
}

# ft_tls_issue CA_DIR DIR NAME SUBJECT WHAT EXT...: DIR/NAME.crt and DIR/NAME.key (EC
# P-256, 397 days, not a CA, the extensions EXT...) for SUBJECT, signed by the CA in
# CA_DIR; issued anew when missing, expiring within a week or not signed by that CA.
# WHAT names the certificate in the log. The key is readable by its owner only.
ft_tls_issue() {
  local ca=$1 dir=$2 name=$3 subject=$4 what=$5 log=$FT_LOGS/tls.log
  shift 5
  if [[ -f $dir/$name.crt && -f $dir/$name.key ]] && openssl x509 -checkend 604800 -noout -in "$dir/$name.crt" >/dev/null 2>&1 &&
    openssl verify -CAfile "$ca/ca.crt" "$dir/$name.crt" >/dev/null 2>&1; then
    return 0
  fi
  step "tls: issuing $what"
  (umask 077 && openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "$subject" -keyout "$dir/$name.key" -out "$dir/$name.csr" &&
    openssl x509 -req -in "$dir/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" -CAcreateserial \
      -days 397 -out "$dir/$name.crt" -extfile <(printf '%s\n' 'basicConstraints=critical,CA:FALSE' "$@")) \
    >>"$log" 2>&1 || die "issuing $what failed, see $log"
  rm -f "$dir/$name.csr"
}

# A local certificate authority (kept for the life of the state directory) and a server
# certificate for 127.0.0.1 and localhost, renewed when it is missing, expires within a
# week or was not signed by this CA. The keys are readable by their owner only.
ft_tls_local_ca() {
  local dir=$1 log=$FT_LOGS/tls.log
  mkdir -p "$dir" "$FT_LOGS"
  chmod 700 "$dir"
  if [[ ! -f $dir/ca.crt || ! -f $dir/ca.key ]]; then
    step "tls: making a local certificate authority in $dir"
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
      -subj "/O=fabtrace/CN=fabtrace local CA ($FT_PROFILE)" -keyout "$dir/ca.key" -out "$dir/ca.crt" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign) \
      >"$log" 2>&1 || die "making the local CA failed, see $log"
    rm -f "$dir/server.crt"
  fi
  ft_tls_issue "$dir" "$dir" server "/O=fabtrace/CN=127.0.0.1" "the server certificate for 127.0.0.1 and localhost" \
    'subjectAltName=IP:127.0.0.1,DNS:localhost' 'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth'
  chmod 644 "$dir/ca.crt" "$dir/server.crt"
}
