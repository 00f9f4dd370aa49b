# Sourced by the scripts in bin/ and by .ci/run: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: $JAVA_HOME if it is 21+, then the newest JDK under /usr/lib/jvm, then `java` on the PATH.
z8_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    awk -F= '/java.specification.version/ { gsub(/ /, "", $2); print $2 }'
}
z8_find_jdk() {
  local candidate best="" best_major=0 major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/* "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(z8_java_major "$candidate")
    [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null || continue
    if [ "$candidate" = "${JAVA_HOME:-}" ]; then best=$candidate; break; fi
    if [ "$major" -gt "$best_major" ]; then best=$candidate; best_major=$major; fi
  done
  if [ -z "$best" ]; then
    echo "z8run needs a JDK 21 or newer: set JAVA_HOME or install one under /usr/lib/jvm" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # JDK 23+ warns on every Maven start about sun.misc.Unsafe use inside Maven itself (its Guava); quiet it.
  if [ "$(z8_java_major "$best")" -ge 23 ] 2>/dev/null; then
    case " ${MAVEN_OPTS:-} " in
      *" --sun-misc-unsafe-memory-access="*) ;;
      *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
  fi
}
z8_find_jdk
