# Installs what fabtrace needs, idempotently: every step first checks whether its result
# is already in place (a Debian package, a binary in the cache whose name carries its
# pinned version or the hash of its build inputs) and prints one line either way.
# Sourced by ./fabtrace after scripts/common.sh.

FT_GO_ENV=(
  GOMODCACHE="$FT_CACHE/go/mod"
  GOCACHE="$FT_CACHE/go/build"
  GOFLAGS=-buildvcs=false
  GOBIN=
)

# Short content hash of files, used as a cache key for builds made from repo files.
ft_hash_files() { cat "$@" | sha256sum | cut -c1-12; }

# Paths of the installed tools. Each name changes when its pinned input changes.
ft_jaeger_bin() { echo "$FT_CACHE/bin/jaeger-$(ft_hash_files "$FT_ROOT"/deploy/go/jaeger/go.{mod,sum})/jaeger"; }
ft_collector_bin() { echo "$FT_CACHE/bin/otelcol-fabtrace-$(ft_hash_files "$FT_ROOT/deploy/collector/builder-config.yaml")/otelcol-fabtrace"; }
ft_minio_bin() { echo "$FT_CACHE/bin/minio-$MINIO_VERSION/minio"; }
ft_toxiproxy_dir() { echo "$FT_CACHE/bin/toxiproxy-$TOXIPROXY_VERSION"; }
ft_kafka_libs() { echo "$FT_CACHE/kafka-$KAFKA_VERSION/libs"; }
ft_venv() { echo "$FT_CACHE/venv-$(ft_hash_files "$FT_ROOT/tests/requirements.txt")"; }
ft_telemetrygen_bin() { echo "$FT_CACHE/bin/telemetrygen-$OCB_VERSION/telemetrygen"; }
ft_kubeconform_bin() { echo "$FT_CACHE/bin/kubeconform-$KUBECONFORM_VERSION/kubeconform"; }
ft_kustomize_bin() { echo "$FT_CACHE/bin/kustomize-$KUSTOMIZE_VERSION/kustomize"; }
# The schemas depend on the API version and on our converter.
ft_k8s_schemas_dir() { echo "$FT_CACHE/k8s-schemas-$K8S_SCHEMA_VERSION-$(ft_hash_files "$FT_ROOT/deploy/k8s/tools/k8s_json_schemas.py")"; }
ft_cmake_build_dir() { echo "$FT_CACHE/build/cmake"; }
ft_keycloak_home() { echo "$FT_CACHE/keycloak-$KEYCLOAK_VERSION"; }
ft_oauth2_proxy_dir() { echo "$FT_CACHE/bin/oauth2-proxy-$OAUTH2_PROXY_VERSION"; }
ft_jaeger_ui_dir() { echo "$FT_CACHE/jaeger-ui-$JAEGER_UI_VERSION-$(ft_hash_files "$FT_ROOT"/deploy/jaeger-ui/Cargo.{toml,lock})"; }

# A Java 21 or newer for Keycloak (the machine's default may be 17).
ft_java21_home() {
  local java home major
  for java in "${JAVA_HOME:-}/bin/java" /usr/lib/jvm/*/bin/java "$(command -v java)"; do
    [[ -x $java ]] || continue
    major=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
    if [[ ${major%%.*} -ge 21 ]]; then
      home=$(dirname "$(dirname "$java")")
      echo "$home"
      return
    fi
  done
  return 1
}

ft_debian_packages() { sed -e 's/#.*//' -e '/^\s*$/d' "$FT_ROOT/deploy/debian-packages.txt"; }

ft_install_debian() {
  local missing=() spec name
  while read -r spec; do
    name=${spec%%=*}
    # An exact version pin must match what is installed, anything else needs presence.
    if [[ $spec == *=* ]]; then
      [[ $(dpkg-query -W -f='${Version}' "$name" 2>/dev/null) == "${spec#*=}" ]] || missing+=("$spec")
    else
      dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q 'ok installed' || missing+=("$spec")
    fi
  done < <(ft_debian_packages)
  if ((${#missing[@]} == 0)); then
    step "debian packages: all $(ft_debian_packages | wc -l) present"
    return
  fi
  step "debian packages: installing ${#missing[@]} (${missing[*]})"
  local sudo=()
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || die "need root (or sudo) to install: ${missing[*]}"
    sudo=(sudo)
  fi
  local sources=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    step "debian packages: adding the bookworm-backports suite ($sources)"
    "${sudo[@]}" tee "$sources" >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  "${sudo[@]}" apt-get update -qq >"$FT_CACHE/logs/apt-update.log" 2>&1 ||
    die "apt-get update failed, see $FT_CACHE/logs/apt-update.log"
  # Packages such as nginx and postgresql would start system-wide services listening
  # beyond loopback; a policy-rc.d that forbids starting services prevents that.
  local policy=/usr/sbin/policy-rc.d added_policy=
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod +x "$policy"
    added_policy=1
  fi
  # Pinned packages come from backports; apt picks the suite from the version.
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >"$FT_CACHE/logs/apt-install.log" 2>&1 || {
    [[ -n $added_policy ]] && "${sudo[@]}" rm -f "$policy"
    die "apt-get install failed, see $FT_CACHE/logs/apt-install.log"
  }
  [[ -n $added_policy ]] && "${sudo[@]}" rm -f "$policy"
  return 0
}

# go install of a module without replace directives into its own versioned directory.
# The binary is named after the package's last element, or $5.
ft_go_install() {
  local label=$1 dir=$2 pkg=$3 version=$4 binary=${5:-$(basename "$3")}
  if [[ -x $dir/$binary ]]; then
    step "$label: cached ($version)"
    return
  fi
  step "$label: building $pkg@$version from the Go module proxy (a few minutes)"
  local log=$FT_CACHE/logs/build-$label.log
  env "${FT_GO_ENV[@]}" GOBIN="$dir.tmp" go install -trimpath -ldflags='-s -w' "$pkg@$version" >"$log" 2>&1 ||
    die "$label build failed, see $log"
  mv "$dir.tmp" "$dir"
}

ft_install_jaeger() {
  local bin
  bin=$(ft_jaeger_bin)
  if [[ -x $bin ]]; then
    step "jaeger: cached (module $JAEGER_MODULE_VERSION)"
    return
  fi
  step "jaeger: building Jaeger v2 (module $JAEGER_MODULE_VERSION) from deploy/go/jaeger (a few minutes)"
  local log=$FT_CACHE/logs/build-jaeger.log
  (cd "$FT_ROOT/deploy/go/jaeger" &&
    env "${FT_GO_ENV[@]}" go build -trimpath -ldflags='-s -w' -o "$bin.tmp" \
      github.com/jaegertracing/jaeger/cmd/jaeger) >"$log" 2>&1 || die "jaeger build failed, see $log"
  mv "$bin.tmp" "$bin"
}

# The Jaeger UI's production build, shipped inside a crates.io package: cargo fetches the
# crate (its checksum pinned in deploy/jaeger-ui/Cargo.lock) into a throw-away CARGO_HOME,
# the build folder is kept, the rest is removed.
ft_install_jaeger_ui() {
  local dir
  dir=$(ft_jaeger_ui_dir)
  if [[ -f $dir/index.html ]]; then
    step "jaeger ui: cached ($JAEGER_UI_VERSION)"
    return
  fi
  local cargo
  cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
  [[ -x $cargo ]] || die "cargo is required (the Jaeger UI build comes from crates.io)"
  step "jaeger ui: fetching the Jaeger UI $JAEGER_UI_VERSION build from crates.io (deploy/jaeger-ui)"
  local home=$FT_CACHE/cargo-home log=$FT_CACHE/logs/jaeger-ui.log build
  rm -rf "$home" "$dir.tmp"
  (cd "$FT_ROOT/deploy/jaeger-ui" && CARGO_HOME=$home "$cargo" fetch --locked) >"$log" 2>&1 ||
    die "fetching the Jaeger UI crate failed, see $log"
  build=$(echo "$home"/registry/src/*/otlp-embedded-*/jaeger-ui/build)
  [[ -f $build/index.html ]] || die "the crate has no jaeger-ui/build/index.html ($build)"
  grep -qs "const version=\"$JAEGER_UI_VERSION\"" "$build"/static/index-*.js ||
    die "the crate's Jaeger UI is not version $JAEGER_UI_VERSION"
  cp -r "$build" "$dir.tmp" && mv "$dir.tmp" "$dir"
  rm -rf "$home"
}

ft_install_collector() {
  local bin
  bin=$(ft_collector_bin)
  if [[ -x $bin ]]; then
    step "collector: cached (deploy/collector/builder-config.yaml unchanged)"
    return
  fi
  local ocb_dir=$FT_CACHE/bin/ocb-$OCB_VERSION
  ft_go_install ocb "$ocb_dir" go.opentelemetry.io/collector/cmd/builder "$OCB_VERSION"
  step "collector: building otelcol-fabtrace with the Collector Builder (several minutes)"
  local work=$FT_CACHE/build/collector log=$FT_CACHE/logs/build-collector.log
  mkdir -p "$work"
  (cd "$work" && env "${FT_GO_ENV[@]}" "$ocb_dir/builder" \
    --config="$FT_ROOT/deploy/collector/builder-config.yaml" --ldflags='-s -w') >"$log" 2>&1 ||
    die "collector build failed, see $log"
  mkdir -p "$(dirname "$bin")"
  cp "$work/otelcol-fabtrace/otelcol-fabtrace" "$bin.tmp" && mv "$bin.tmp" "$bin"
}

ft_install_kafka() {
  local libs
  libs=$(ft_kafka_libs)
  ft_maven_build "$libs" "kafka $KAFKA_VERSION" "$FT_ROOT/deploy/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp"
}

# ft_maven_build DIR WHAT POM MAVEN_ARGS...: fills DIR once from a Maven build of POM
# (local repository $FT_CACHE/m2; log $FT_CACHE/logs/<POM's folder>-maven.log). The
# build writes to DIR.tmp (and may use other scratch paths DIR.tmp*), moved into place
# and marked complete only when it succeeded, so a broken build is never taken as cached.
ft_maven_build() {
  local dir=$1 what=$2 pom=$3 log
  shift 3
  if [[ -f $dir/.complete ]]; then
    step "$what: cached"
    return
  fi
  log=$FT_CACHE/logs/$(basename "$(dirname "$pom")")-maven.log
  step "$what: from Maven Central"
  rm -rf "$dir" "$dir".tmp*
  mvn -B -q -f "$pom" -Dmaven.repo.local="$FT_CACHE/m2" "$@" >"$log" 2>&1 ||
    die "$what from Maven Central failed, see $log"
  mv "$dir.tmp" "$dir" && rm -rf "$dir".tmp* && touch "$dir/.complete"
}

# Kubernetes JSON schemas for kubeconform, made offline: the API's OpenAPI document
# (api/openapi-spec/swagger.json of the Go module k8s.io/kubernetes, a 20 MB download
# from the Go module proxy, 115 MB unpacked) converted by deploy/k8s/tools/k8s_json_schemas.py
# into one strict schema per kind (311 files, 2.5 MB). The module goes into a throw-away
# module cache, removed afterwards; only the schemas are kept. About 10 s.
ft_install_k8s_schemas() {
  local dir
  dir=$(ft_k8s_schemas_dir)
  if [[ -f $dir/deployment-apps-v1.json ]]; then
    step "k8s schemas: cached (Kubernetes $K8S_SCHEMA_VERSION)"
    return
  fi
  step "k8s schemas: Kubernetes $K8S_SCHEMA_VERSION OpenAPI from the Go module proxy, converted for kubeconform"
  local log=$FT_CACHE/logs/k8s-schemas.log modcache=$FT_CACHE/build/k8s-openapi-modcache module
  rm -rf "$dir.tmp"
  {
    module=$(env "${FT_GO_ENV[@]}" GOMODCACHE="$modcache" GOFLAGS=-mod=mod \
      go mod download -json "k8s.io/kubernetes@$K8S_SCHEMA_VERSION" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') &&
      python3 "$FT_ROOT/deploy/k8s/tools/k8s_json_schemas.py" "$module/api/openapi-spec/swagger.json" "$dir.tmp"
  } >"$log" 2>&1 || die "making the Kubernetes JSON schemas failed, see $log"
  # Module cache files are read-only; go clean removes them.
  env "${FT_GO_ENV[@]}" GOMODCACHE="$modcache" go clean -modcache >>"$log" 2>&1 || true
  rm -rf "$modcache"
  mv "$dir.tmp" "$dir"
}

# The validators of deploy/k8s, for the tests only (`up` does not need them).
# kubeconform: about 1 min 40 s of build on 2 cores, 10 MB of modules; kustomize: 30 s more.
ft_install_deployment_tools() {
  ft_go_install kubeconform "$(dirname "$(ft_kubeconform_bin)")" \
    github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION"
  ft_go_install kustomize "$(dirname "$(ft_kustomize_bin)")" \
    sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" kustomize
  ft_install_k8s_schemas
}

ft_install_test_tools() {
  ft_npm_ci "$FT_ROOT/tests/browser" "test tools: playwright-core" npm-browser-tests
  local venv
  venv=$(ft_venv)
  if [[ -x $venv/bin/pytest ]]; then
    step "test tools: cached (python venv)"
    return
  fi
  step "test tools: creating a python venv with tests/requirements.txt"
  local log=$FT_CACHE/logs/venv.log
  rm -rf "$venv"
  { python3 -m venv "$venv" && "$venv/bin/pip" install -q -r "$FT_ROOT/tests/requirements.txt"; } >"$log" 2>&1 ||
    die "python venv failed, see $log"
}

ft_build_cpp() {
  local dir
  dir=$(ft_cmake_build_dir)
  step "c++: building with CMake and Ninja in $dir (incremental)"
  local log=$FT_CACHE/logs/cmake.log
  # A CMake build folder belongs to one checkout: another checkout (CI's fresh clone)
  # starts it anew instead of building the previous checkout's sources. ccache serves
  # rebuilds of the same checkout (a new build folder, flags changed back, a branch
  # switched back); another checkout's paths differ, so it compiles afresh.
  if [[ -f $dir/CMakeCache.txt ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$FT_ROOT" "$dir/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  export CCACHE_DIR=$FT_CACHE/ccache CCACHE_BASEDIR=$FT_ROOT CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=2G
  # (A group on the left of || runs without errexit: every step is chained with &&.)
  {
    { [[ -f $dir/build.ninja ]] || cmake -S "$FT_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache; } &&
      cmake --build "$dir" &&
      { ccache --show-stats --verbose | grep -E '^ +(Hits|Misses)' || true; }
  } >"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    die "c++ build failed, see $log"
  }
}

# npm ci in a folder, only when its package-lock.json changed since the last time.
ft_npm_ci() {
  local dir=$1 label=$2 log=$FT_CACHE/logs/$3.log hash
  hash=$(ft_hash_files "$dir/package-lock.json")
  [[ $(cat "$dir/node_modules/.fabtrace-lock" 2>/dev/null) == "$hash" ]] && return
  step "$label: npm ci ($(basename "$dir")/package-lock.json)"
  (cd "$dir" && npm ci --no-audit --no-fund) >"$log" 2>&1 || die "npm ci failed, see $log"
  echo "$hash" >"$dir/node_modules/.fabtrace-lock"
}

# The browser applications (one npm workspace in web/: the apps and what they share; its
# npm ci runs in the fetch lane): a type check and a Vite build of each app into the
# cache (8 s an app on this machine), skipped when none of its inputs changed.
ft_build_web() {
  local app dir out stamp hash
  for app in internet-shop crm mes; do
    dir=$FT_ROOT/web/$app out=$FT_CACHE/web/$app stamp=$FT_CACHE/web/.built-$app
    # Everything the build reads: the app, the shared code, the workspace's lock file.
    hash=$(cd "$FT_ROOT/web" && find "$app" shared package.json package-lock.json \
      -name node_modules -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
    if [[ -f $out/index.html && $(cat "$stamp" 2>/dev/null) == "$hash" ]]; then
      step "web: $app unchanged since its last build"
      continue
    fi
    step "web: type-checking and building $app"
    (cd "$dir" && npx tsc --noEmit && npx vite build --logLevel warn --emptyOutDir --outDir "$out") \
      >"$FT_CACHE/logs/web-$app.log" 2>&1 || {
      tail -n 30 "$FT_CACHE/logs/web-$app.log" >&2
      die "building $app failed, see $FT_CACHE/logs/web-$app.log"
    }
    echo "$hash" >"$stamp"
  done
}

# Keycloak from Maven Central: unpacked once, built once for PostgreSQL and a local
# (not clustered) cache (`kc.sh build`; clustering would listen beyond loopback). The
# realm is created at the first start through the admin API (scripts/landscape.sh).
ft_install_keycloak() {
  local home java_home
  home=$(ft_keycloak_home)
  java_home=$(ft_java21_home) || die "Keycloak $KEYCLOAK_VERSION needs Java 21 or newer (install a JDK 21+)"
  if [[ ! -f $home/.built ]]; then
    step "keycloak: $KEYCLOAK_VERSION from Maven Central, built for PostgreSQL"
    local log=$FT_CACHE/logs/keycloak-install.log
    rm -rf "$home" "$home.tmp" && mkdir -p "$home.tmp"
    {
      mvn -B -q -Dmaven.repo.local="$FT_CACHE/m2" dependency:copy \
        -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" -DoutputDirectory="$FT_CACHE/downloads" &&
        tar xzf "$FT_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" -C "$home.tmp" --strip-components=1 &&
        JAVA_HOME=$java_home "$home.tmp/bin/kc.sh" build --db=postgres --health-enabled=true --cache=local
    } >"$log" 2>&1 || die "keycloak install failed, see $log"
    mv "$home.tmp" "$home" && touch "$home/.built"
    # Unpacked and built: the tarball's copy is a leftover (Maven's repository keeps one).
    rm -f "$FT_CACHE/downloads/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
  else
    step "keycloak: cached ($KEYCLOAK_VERSION)"
  fi
  # Earlier versions rendered the realm, with its secrets, into the cache.
  rm -f "$home/data/import/fabtrace-realm.json"
}

# What comes over the network or starts a JVM, with little compiling: it runs beside the
# compile lane, which keeps both cores busy, so downloads no longer wait for compiles.
ft_install_fetch_lane() {
  ft_install_kafka
  ft_install_keycloak
  ft_install_jaeger_ui
  ft_npm_ci "$FT_ROOT/web" "web: npm packages of the browser applications" npm-web
  # OpenSearch: for the distributed profile, and for the tests, which run it too.
  if [[ ${FT_WITH_TEST_TOOLS:-} == 1 || ${FABTRACE_STORAGE:-} == opensearch ]]; then ft_install_opensearch; fi
  [[ ${FT_WITH_TEST_TOOLS:-} == 1 ]] && ft_install_test_tools
  return 0
}

# With every Go tool built, Go's build cache (GBs of compiled packages) and the unpacked
# module sources are leftovers: the binaries are cached by version in $FT_CACHE/bin. The
# modules' zip files stay (cache/download), so a later build (a version bump, the test
# tools after a plain `up`) needs no network, only unpacking and compiling. Builds of
# versions no longer pinned are removed too. FABTRACE_KEEP_GO_CACHE=1 keeps everything
# (for working on the Go builds themselves).
ft_trim_go_cache() {
  [[ ${FABTRACE_KEEP_GO_CACHE:-} == 1 ]] && return
  local mod=$FT_CACHE/go/mod dir current
  current=" $(dirname "$(ft_jaeger_bin)") $(dirname "$(ft_collector_bin)") "
  for dir in "$FT_CACHE"/bin/jaeger-* "$FT_CACHE"/bin/otelcol-fabtrace-*; do
    [[ -d $dir && $current != *" $dir "* ]] && rm -rf "$dir"
  done
  if [[ -d $FT_CACHE/go/build ]]; then
    step "go: dropping the build cache and the unpacked modules (FABTRACE_KEEP_GO_CACHE=1 keeps them)"
    env "${FT_GO_ENV[@]}" go clean -cache >/dev/null 2>&1 || true
    rm -rf "$FT_CACHE/go/build"
  fi
  if [[ -d $mod ]]; then
    find "$mod" -mindepth 1 -maxdepth 1 ! -name cache -exec chmod -R u+w {} + -exec rm -rf {} +
  fi
}

# Everything `up` needs (`test` sets FT_WITH_TEST_TOOLS=1 for the test tools too): the
# Debian packages first, then two lanes side by side, downloads and compiles; the
# browser applications last, once their npm packages are in.
ft_install_all() {
  mkdir -p "$FT_CACHE/logs" "$FT_CACHE/bin"
  command -v go >/dev/null || die "Go is required (https://go.dev/doc/install); it builds Jaeger, the Collector, MinIO and toxiproxy"
  command -v mvn >/dev/null && command -v java >/dev/null || die "Java and Maven are required (Kafka comes from Maven Central)"
  command -v npm >/dev/null || die "Node.js 20 and npm are required (the browser applications)"
  # One installer at a time: `up` and `test` may run side by side.
  exec 9>"$FT_CACHE/install.lock"
  flock 9
  ft_install_debian
  ft_install_fetch_lane 9>&- &
  local fetch_lane=$!
  ft_go_install toxiproxy "$(ft_toxiproxy_dir)" github.com/Shopify/toxiproxy/v2/cmd/server "$TOXIPROXY_VERSION"
  ft_go_install minio "$(dirname "$(ft_minio_bin)")" github.com/minio/minio "$MINIO_VERSION"
  ft_go_install oauth2-proxy "$(ft_oauth2_proxy_dir)" github.com/oauth2-proxy/oauth2-proxy/v7 "$OAUTH2_PROXY_VERSION" oauth2-proxy
  ft_install_jaeger
  if [[ ${FT_WITH_TEST_TOOLS:-} == 1 || ${FABTRACE_STORAGE:-} == opensearch ]]; then ft_install_es_index_cleaner; fi
  ft_install_collector
  # The Collector contrib's load generator, at the Collector's version (burst test, bench).
  ft_go_install telemetrygen "$(dirname "$(ft_telemetrygen_bin)")" \
    github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen "$OCB_VERSION"
  if [[ ${FT_WITH_TEST_TOOLS:-} == 1 ]]; then ft_install_deployment_tools; fi
  ft_trim_go_cache
  ft_build_cpp
  wait "$fetch_lane" || die "a download step failed (its message is above)"
  ft_build_web
  flock -u 9
}
