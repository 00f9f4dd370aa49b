package dev.z8run.api.hook;

import dev.z8run.api.hook.WebhookSignature.Result;
import dev.z8run.api.http.ErrorResponses;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.network.WebhookNode;
import dev.z8run.nodes.network.WebhookNode.Verdict;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the server decides about a delivery to a {@code webhook} node before the flow sees it:
 * signature, event, verdict, and the answer the sender gets.
 *
 * <p>Verdict, in this order: a secret is configured and the signature header is missing, malformed
 * or not the raw body's HMAC-SHA256 under it: {@code rejected} (401); {@code events} is not empty
 * and the event header's value is not in it (or absent): {@code filtered} (202); else {@code
 * accepted} (202). The verdict goes into the message; the {@code webhook} node routes by it.
 *
 * <p>Built once per deployed plan from the node's config, in which the planner filled the defaults
 * and the flow manager resolved {@code vault:<key>} to the secret's value. Immutable, thread-safe.
 */
final class WebhookGate {
  /** GitHub's id of one delivery, the same on a redelivery: what a flow deduplicates on. */
  static final HeaderName DELIVERY_HEADER = HeaderNames.create("X-GitHub-Delivery");

  /** Null when no secret is configured: signatures are not checked. */
  private final WebhookSignature signature;

  private final String signatureHeaderName;
  private final HeaderName signatureHeader;
  private final HeaderName eventHeader;
  private final Set<String> events;

  private WebhookGate(Map<String, Object> config) {
    Object secret = config.get("secret");
    this.signature =
        secret instanceof String text && !text.isEmpty() ? WebhookSignature.withSecret(text) : null;
    this.signatureHeaderName =
        header(config, "signatureHeader", WebhookNode.DEFAULT_SIGNATURE_HEADER);
    this.signatureHeader = HeaderNames.create(signatureHeaderName);
    this.eventHeader =
        HeaderNames.create(header(config, "eventHeader", WebhookNode.DEFAULT_EVENT_HEADER));
    Object events = config.get("events");
    this.events =
        events instanceof List<?> list
            ? Set.copyOf(list.stream().map(String::valueOf).toList())
            : Set.of();
  }

  /** The gate of a {@code webhook} node, from its planned config. */
  static WebhookGate of(Map<String, Object> config) {
    return new WebhookGate(config);
  }

  private static String header(Map<String, Object> config, String field, String fallback) {
    Object name = config.get(field);
    return name instanceof String text && !text.isBlank() ? text.strip() : fallback;
  }

  /** Checks one delivery; {@code rawBody} exactly as it arrived. */
  Delivery check(ServerRequest request, byte[] rawBody) {
    String event = request.headers().first(eventHeader).orElse(null);
    String id = request.headers().first(DELIVERY_HEADER).orElse(null);
    Result result =
        signature == null
            ? null
            : signature.verify(rawBody, request.headers().first(signatureHeader).orElse(null));
    Verdict verdict;
    if (result != null && result != Result.VALID) {
      verdict = Verdict.REJECTED;
    } else if (!events.isEmpty() && (event == null || !events.contains(event))) {
      verdict = Verdict.FILTERED;
    } else {
      verdict = Verdict.ACCEPTED;
    }
    return new Delivery(verdict, result, event, id, signatureHeaderName);
  }

  /**
   * One checked delivery.
   *
   * @param signature the check's result, null when no secret is configured
   * @param event the event header's value, or null
   * @param id the {@code X-GitHub-Delivery} header's value, or null
   * @param signatureHeader the header the signature was read from, for the 401 message
   */
  record Delivery(
      Verdict verdict, Result signature, String event, String id, String signatureHeader) {

    /** {@code valid}, {@code missing}, {@code malformed}, {@code mismatch} or {@code unchecked}. */
    String signatureText() {
      return signature == null ? "unchecked" : signature.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of the message's {@code webhook} member: {@code
     * {"verdict":..,"event":..,"signature":..,"delivery":..}}.
     */
    byte[] json() {
      Map<String, Object> member = new LinkedHashMap<>();
      member.put("verdict", verdict.text());
      member.put("event", event);
      member.put("signature", signatureText());
      member.put("delivery", id);
      return JsonCodec.write(member);
    }

    /** Answers the sender once the engine has taken the message: 401 or 202. */
    void answer(ServerResponse response) {
      if (verdict == Verdict.REJECTED) {
        ErrorResponses.send(response, Status.UNAUTHORIZED_401, rejection());
        return;
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", verdict.text());
      if (verdict == Verdict.FILTERED) {
        body.put("event", event);
      }
      response.status(Status.ACCEPTED_202);
      response.headers().contentType(MediaTypes.APPLICATION_JSON);
      response.send(JsonCodec.write(body));
    }

    private String rejection() {
      return switch (signature) {
        case MISSING -> "webhook signature missing: the request has no " + signatureHeader;
        case MALFORMED ->
            "webhook signature malformed: "
                + signatureHeader
                + " must be sha256= followed by 64 hex digits";
        case MISMATCH ->
            "webhook signature mismatch: "
                + signatureHeader
                + " is not the HMAC-SHA256 of this body under the node's secret";
        case VALID -> throw new IllegalStateException("a valid signature is not rejected");
      };
    }
  }
}
