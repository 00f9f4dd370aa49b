# Sourced by the scripts in bin/ and by .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then the newest JDK under /usr/lib/jvm, then `java` on the PATH.
# z8_major_of DIR sets REPLY to the major version of the JDK at DIR: from its `release` file
# (every JDK since 9 has one: JAVA_VERSION="25.0.3") read by bash itself, without a process (each
# JVM start here cost 30-60 ms of every `bin/z8run serve`, each `sed` or `awk` 2-3 ms); asking the
# JVM only where there is no such file. Empty when neither says.
z8_major_of() {
  local version="" line re='^JAVA_VERSION="?([0-9][0-9._]*)'
  if [ -r "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      if [[ $line =~ $re ]]; then
        version=${BASH_REMATCH[1]}
        break
      fi
    done < "$1/release"
  fi
  if [ -z "$version" ] && [ -x "$1/bin/java" ]; then
    version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      awk -F= '/java.specification.version/ { gsub(/ /, "", $2); print $2 }')
  fi
  case "$version" in
    1.*) version=${version#1.} ;; # 1.8.0_392: Java 8
  esac
  REPLY=${version%%[._]*}
}
# The major version of the JDK at $1, printed.
z8_java_major() {
  z8_major_of "$1"
  echo "$REPLY"
}
z8_find_jdk() {
  local candidate best="" best_major=0 major java_dir=""
  # $JAVA_HOME first: when it is 21+, nothing else is looked at (no process started)
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    z8_major_of "$JAVA_HOME"
    major=$REPLY
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then best=$JAVA_HOME; best_major=$major; fi
  fi
  if [ -z "$best" ]; then
    candidate=$(command -v java 2>/dev/null || true)
    if [ -n "$candidate" ]; then java_dir=$(dirname "$(dirname "$(readlink -f "$candidate")")"); fi
    for candidate in /usr/lib/jvm/* "$java_dir"; do
      [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
      z8_major_of "$candidate"
      major=$REPLY
      [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null || continue
      if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
    done
  fi
  if [ -z "$best" ]; then
    echo "z8run needs a JDK 21 or newer: set JAVA_HOME or install one under /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 23+ warns on every Maven start about sun.misc.Unsafe use inside Maven itself (its Guava); quiet it.
  if [ "${best_major:-0}" -ge 23 ] 2>/dev/null; then
    case " ${MAVEN_OPTS:-} " in
      *" --sun-misc-unsafe-memory-access="*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
z8_find_jdk
