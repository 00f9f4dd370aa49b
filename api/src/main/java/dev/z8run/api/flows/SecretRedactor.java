package dev.z8run.api.flows;

import dev.z8run.io.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Takes the vault's values out of what the server samples from messages: execution records (each
 * node's input sample, debug previews, error messages), stored in LMDB and answered by the
 * executions API, and the debug previews the editor socket sends.
 *
 * <p>How: when a flow is deployed, the secrets its {@code vault:} references resolved to are
 * registered under the flow's id; a sample of that flow has each of them replaced by {@value
 * #MASK}, both as written and as JSON escapes it, and a sample cut short in the middle of a secret
 * loses that beginning too. A value a node transformed (base64, hashed, split) is no longer the
 * secret and is not recognised: a flow that must not show a secret in any form should not send it
 * through a debug node. Secrets shorter than {@value #MIN_CHARS} characters are not masked (they
 * would mask everything and protect nothing).
 *
 * <p>Thread-safe; a flow without secrets costs one map lookup per sample.
 */
public final class SecretRedactor {
  /** What a secret is replaced by. */
  public static final String MASK = "[vault value]";

  static final int MIN_CHARS = 4;

  private final Map<String, List<String>> byFlow = new ConcurrentHashMap<>();

  /** Registers the secrets flow {@code flowId} was deployed with (replacing earlier ones). */
  public void register(String flowId, List<String> secrets) {
    List<String> forms = new ArrayList<>();
    for (String secret : secrets) {
      if (secret.length() < MIN_CHARS) {
        continue;
      }
      forms.add(secret);
      String json = new String(JsonCodec.write(secret), StandardCharsets.UTF_8);
      String escaped = json.substring(1, json.length() - 1);
      if (!escaped.equals(secret)) {
        forms.add(escaped);
      }
    }
    forms.sort(Comparator.comparingInt(String::length).reversed());
    if (forms.isEmpty()) {
      byFlow.remove(flowId);
    } else {
      byFlow.put(flowId, List.copyOf(forms));
    }
  }

  /** Forgets flow {@code flowId}'s secrets (it was stopped or deleted). */
  public void forget(String flowId) {
    byFlow.remove(flowId);
  }

  /** Whether samples of {@code flowId} need {@link #redact}. */
  public boolean hasSecrets(String flowId) {
    return byFlow.containsKey(flowId);
  }

  /** {@code text} from flow {@code flowId} with its secrets masked. */
  public String redact(String flowId, String text) {
    List<String> secrets = byFlow.get(flowId);
    if (secrets == null || text == null) {
      return text;
    }
    String out = text;
    for (String secret : secrets) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    for (String secret : secrets) {
      // a sample cut inside a secret: its beginning goes too
      for (int k = Math.min(secret.length() - 1, out.length()); k >= MIN_CHARS - 1; k--) {
        if (out.regionMatches(out.length() - k, secret, 0, k)) {
          out = out.substring(0, out.length() - k) + MASK;
          break;
        }
      }
    }
    return out;
  }
}
