#!/usr/bin/env bash
# Runs the OpenSearch node in the foreground (the supervisor's program opensearch):
#   deploy/opensearch/run.sh $FT_STATE/opensearch
# from the folders ft_opensearch_prepare made there (scripts/opensearch.sh): home (the
# installation), config, data, logs, tmp. The server refuses to run as root: as root, it
# runs as the account that owns data/. exec keeps the pid: the supervisor's is the JVM's.
set -euo pipefail
dir=${1:?usage: run.sh <state directory>/opensearch}
[[ -f $dir/config/opensearch.yml && -d $dir/home/lib ]] || { echo "run.sh: $dir is not prepared" >&2; exit 1; }
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
mapfile -t options < <(grep '^-' "$dir/config/jvm.options")
as_user=()
if [[ $(id -u) == 0 ]]; then
  user=$(stat -c %U "$dir/data")
  [[ $user != root ]] || { echo "run.sh: $dir/data belongs to root" >&2; exit 1; }
  # setpriv replaces this process (runuser would stay as the JVM's parent).
  as_user=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups --)
fi
cd "$dir"
exec "${as_user[@]}" "$java" "${options[@]}" \
  -Djava.io.tmpdir="$dir/tmp" -XX:ErrorFile="$dir/logs/hs_err_pid%p.log" \
  -Dopensearch.path.home="$dir/home" -Dopensearch.path.conf="$dir/config" \
  -Dopensearch.distribution.type=tar -Dopensearch.bundled_jdk=false \
  -cp "$dir/home/lib/*" org.opensearch.bootstrap.OpenSearch
