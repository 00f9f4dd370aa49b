# Sourced by the scripts in bin/ and by .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then the newest JDK under /usr/lib/jvm, then `java` on the PATH.
# The major version of the JDK at $1: from its `release` file (every JDK since 9 has one:
# JAVA_VERSION="25.0.3"), without starting a JVM (each start here cost 30-60 ms of every
# `bin/z8run serve`, five or six of them with a few JDKs installed); asking the JVM otherwise.
z8_java_major() {
  local version=""
  if [ -r "$1/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9._]*\).*/\1/p' "$1/release")
  fi
  if [ -z "$version" ]; then
    version=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      awk -F= '/java.specification.version/ { gsub(/ /, "", $2); print $2 }')
  fi
  case "$version" in
    1.*) version=${version#1.} ;; # 1.8.0_392: Java 8
  esac
  echo "${version%%[._]*}"
}
z8_find_jdk() {
  local candidate best="" best_major=0 major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(z8_java_major "$candidate")
    [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ]; then best=$candidate; best_major=$major; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
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
