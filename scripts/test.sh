# ./fabtrace test: a private instance of the landscape (ports of the "test" column, a
# throw-away state directory), the C++ unit tests, then the end-to-end tests; the
# instance is stopped and removed afterwards, whatever happens.
# Sourced by ./fabtrace after the other scripts.

ft_test_cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  ft_down >/dev/null 2>&1 || true
  # Kill whatever a crashed supervisor may have left, then drop the state.
  pkill -f -- "$FT_STATE/" 2>/dev/null || true
  if [[ $rc != 0 && -d $FT_LOGS ]]; then
    local kept=$FT_CACHE/logs/last-failed-test
    rm -rf "$kept" && cp -r "$FT_LOGS" "$kept" && step "logs of the failed run kept in $kept"
  fi
  rm -rf "$FT_STATE"
  exit "$rc"
}

# What the distributed profile's phase runs: its own tests, the pipeline and Jaeger UI
# checks, the agent's loss test and the Shop scenarios with their evidence rules.
FT_DISTRIBUTED_TESTS=(tests/distributed tests/smoke/test_pipeline.py tests/support_desk/test_jaeger_ui.py
  tests/scenarios/test_shop_api.py "tests/reliability/test_trace_loss.py::test_agent_killed_with_kill_9_loses_no_trace")

ft_test() {
  local started=$SECONDS
  FT_WITH_TEST_TOOLS=1 ft_install_all
  ft_use_profile test
  export FABTRACE_TLS=0  # the TLS phase below switches it on
  if ft_supervisor_running; then
    step "a previous test instance is still running: stopping it"
    ft_down
  fi
  rm -rf "$FT_STATE"
  trap ft_test_cleanup EXIT
  trap 'exit 130' INT TERM
  ft_up
  step "landscape of the test profile ready after $((SECONDS - started))s"

  export FT_BUILD_DIR FT_KAFKA_LIBS
  FT_BUILD_DIR=$(ft_cmake_build_dir)
  # C++ integration tests fail (not skip) when they cannot find the landscape.
  export FABTRACE_REQUIRE_INTEGRATION=1
  step "c++ unit and integration tests (ctest)"
  ctest --test-dir "$FT_BUILD_DIR" --output-on-failure --no-tests=error --timeout 120
  step "end-to-end tests (pytest)"
  local pytest=("$(ft_venv)/bin/pytest" -p no:cacheprovider -ra)
  (cd "$FT_ROOT" && "${pytest[@]}" --durations=15 --ignore=tests/tls tests "$@")
  if (($# == 0)); then
    # The same instance in TLS mode: Keycloak, the gate, the apps and the Collector restart
    # with the install's local CA; the gate and login tests run again over HTTPS.
    step "TLS mode (FABTRACE_TLS=1): restarting the doors with the local CA's certificate"
    export FABTRACE_TLS=1
    ft_up
    step "end-to-end tests in TLS mode (pytest tests/tls tests/access)"
    (cd "$FT_ROOT" && "${pytest[@]}" tests/tls tests/access)
    if [[ $FT_STORAGE != opensearch ]]; then
      # The same instance on the distributed profile (plain doors again, as its checks,
      # the C++ smoke program and the browser expect): OpenSearch and two Jaeger ingesters
      # start, the gateways export to Kafka, Jaeger becomes a query service on OpenSearch;
      # its own tests, the pipeline and Jaeger UI checks and a few scenarios run again.
      # (FABTRACE_STORAGE=opensearch ./fabtrace test runs every test on it.)
      step "distributed profile (FABTRACE_STORAGE=opensearch): OpenSearch, Kafka to two Jaeger ingesters"
      export FABTRACE_STORAGE=opensearch FABTRACE_TLS=0
      ft_use_profile test
      ft_up
      step "end-to-end tests on the distributed profile (pytest ${FT_DISTRIBUTED_TESTS[*]})"
      (cd "$FT_ROOT" && "${pytest[@]}" "${FT_DISTRIBUTED_TESTS[@]}")
    fi
  else
    step "TLS mode and distributed profile tests skipped: pytest arguments were given (a full run includes them)"
  fi
  step "all tests passed in $((SECONDS - started))s"
}
