package dev.z8run.nodes.routing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.LinkReturns;
import dev.z8run.nodes.support.LinkTargets;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code link-in}, {@code link-out} and {@code link-call}: wiring without a drawn wire, within a
 * flow or between flows, as Node-RED's link nodes. A link starts a new execution at its target
 * ({@link NodeContext#triggerAt}), carrying the message's JSON, binary payload and {@code ref} (so
 * an HTTP request can be answered in another flow). A target that is not deployed, or whose inbox
 * is full, is reported as a warning on the sender and the message is dropped: flows deploy and stop
 * independently.
 *
 * <p>Link targets are found by {@link LinkTargets}: in the sender's flow first, then in its owner's
 * other flows, never in another user's.
 *
 * <p>Link Call pushes a return address onto {@code msg._linkSource} ({@code [{id, call, flow}]})
 * and calls a Link In; a Link Out in {@code return} mode pops it and sends the message back to the
 * calling node, marked with {@code _linkReturn}; the caller sends it on in that (new) execution.
 * The caller keeps the calling message {@linkplain Output#defer deferred} until the return arrives
 * or {@code timeout} seconds pass; a timeout fails the calling message (Catch nodes see it).
 */
public final class LinkNodes {
  private LinkNodes() {}

  public static final NodeType LINK_IN =
      NodeType.builder("link-in")
          .category("common")
          .description("An entry point that Link Out and Link Call nodes send to, from any flow.")
          .inputs()
          .factory(LinkIn::new)
          .build();

  public static final NodeType LINK_OUT =
      NodeType.builder("link-out")
          .category("common")
          .description(
              "Sends each message to the listed Link In nodes, or back to the calling Link Call.")
          .outputs()
          .field(
              ConfigField.choice(
                  "mode",
                  "link",
                  List.of("link", "return"),
                  "link: to links; return: to the caller."))
          .field(
              ConfigField.optional(
                  "links", FieldType.ARRAY, null, "Ids of the Link In nodes (link mode)."))
          .factory(LinkOut::new)
          .build();

  public static final NodeType LINK_CALL =
      NodeType.builder("link-call")
          .category("common")
          .description(
              "Calls a Link In and sends on what its flow returns through a Link Out in return mode.")
          .field(
              ConfigField.optional(
                  "links",
                  FieldType.ARRAY,
                  null,
                  "The id of the Link In called (one); required unless linkType is dynamic."))
          .field(
              ConfigField.choice(
                  "linkType",
                  "static",
                  List.of("static", "dynamic"),
                  "static: the Link In in links; dynamic: the one msg.target names (its id, or its"
                      + " name: in this flow first, then in the owner's other flows, where it must be"
                      + " unique)."))
          .field(
              ConfigField.optional("timeout", FieldType.ANY, 30, "Seconds to wait for the return."))
          .factory(LinkCall::new)
          .build();

  /**
   * Starts an execution at node {@code target} of flow {@code flowId} with {@code json} (null: the
   * message's own), binary and ref of {@code msg}; warns and returns false when the target did not
   * take it.
   */
  static boolean deliver(
      NodeContext context, String flowId, String target, byte[] json, MessageFlyweight msg) {
    InjectResult result =
        json == null
            ? context.triggerAt(flowId, target, msg)
            : context.triggerAt(
                flowId,
                target,
                new MessageBodyView()
                    .json(new UnsafeBuffer(json), 0, json.length)
                    .binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength())
                    .ref(msg.ref()));
    if (result == InjectResult.ACCEPTED) {
      return true;
    }
    context.warn(
        "link to '"
            + target
            + "' dropped a message: "
            + (result == InjectResult.UNKNOWN_NODE ? "no deployed flow has that node" : result));
    return false;
  }

  /** The Link In {@code link} names, seen from this node's flow; warns and answers null if none. */
  static LinkTargets.Target resolve(NodeContext context, LinkTargets targets, String link) {
    try {
      return targets.resolve(context.flowId(), link);
    } catch (IllegalArgumentException unknown) {
      context.warn("link to '" + link + "' dropped a message: " + unknown.getMessage());
      return null;
    }
  }

  /** Passes messages on; known by id and name to dynamic calls while its flow runs. */
  private static final class LinkIn implements Node {
    private final LinkTargets targets;
    private final LinkTargets.Target registered;

    LinkIn(NodeContext context) {
      this.targets = LinkTargets.of(context);
      this.registered = targets.register(context.flowId(), context.nodeId(), context.name());
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      out.forward(0, msg);
    }

    @Override
    public void onStop() {
      targets.remove(registered);
    }
  }

  /**
   * Sends to its links' Link In nodes, resolved once and kept while {@link LinkTargets#version()}
   * is unchanged (no flow with Link In nodes deployed or stopped since): no lookup key is built per
   * message. A link that did not resolve is resolved again, and warned about, per message, as
   * before.
   */
  private static final class LinkOut implements Node {
    private final NodeContext context;
    private final boolean returning;
    private final List<String> links;
    private final LinkTargets targets;
    private final LinkTargets.Target[] resolved;
    private long resolvedVersion = -1;

    LinkOut(NodeContext context) {
      this.context = context;
      this.returning = context.configString("mode", "link").equals("return");
      this.links = MessageBodies.strings(context, "links");
      this.targets = LinkTargets.of(context);
      this.resolved = new LinkTargets.Target[links.size()];
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      if (!returning) {
        long version = targets.version();
        boolean stale = version != resolvedVersion;
        for (int i = 0; i < resolved.length; i++) {
          LinkTargets.Target target = resolved[i];
          if (stale || target == null) {
            target = resolve(context, targets, links.get(i));
            resolved[i] = target;
          }
          if (target != null) {
            deliver(context, target.flowId(), target.nodeId(), null, msg);
          }
        }
        resolvedVersion = version;
        return;
      }
      Map<String, Object> body = MessageBodies.parse(msg);
      if (!(body.get("_linkSource") instanceof List<?> stack)
          || stack.isEmpty()
          || !(stack.get(stack.size() - 1) instanceof Map<?, ?> top)) {
        context.warn("return mode: the message has no _linkSource (not from a link call): dropped");
        return;
      }
      List<Object> rest = new ArrayList<>(stack.subList(0, stack.size() - 1));
      if (rest.isEmpty()) {
        body.remove("_linkSource");
      } else {
        body.put("_linkSource", rest);
      }
      // the caller's flow (a call written before flows were named came from this one); only the
      // owner's own flows may be returned to, whatever the message claims
      String flowId = top.get("flow") instanceof String named ? named : context.flowId();
      if (!targets.sameOwner(context.flowId(), flowId)) {
        context.warn("return mode: the caller is in another user's flow: dropped");
        return;
      }
      String caller = String.valueOf(top.get("id"));
      LinkReturns returns = context.service(LinkReturns.class, LinkReturns::new);
      if (returns.complete(flowId, caller, top.get("call"), body)) {
        return; // a node waiting on its own thread (the AI agent's link tools) took it
      }
      body.put("_linkReturn", top.get("call"));
      deliver(context, flowId, caller, JsonCodec.write(body), msg);
    }
  }

  private static final class LinkCall implements Node {
    private final NodeContext context;
    private final String target;
    private final LinkTargets targets;
    private final long timeoutMs;
    private final Map<Integer, Cancellable> pending = new HashMap<>();
    private int nextCall;

    LinkCall(NodeContext context) {
      this.context = context;
      List<String> links = MessageBodies.strings(context, "links");
      boolean dynamic = context.configString("linkType", "static").equals("dynamic");
      if (!dynamic && links.size() != 1) {
        throw new IllegalArgumentException("links: exactly one Link In id is needed");
      }
      this.target = dynamic ? null : links.get(0);
      this.targets = LinkTargets.of(context);
      this.timeoutMs = Math.round(MessageBodies.number(context, "timeout", 30) * 1000);
      if (timeoutMs <= 0) {
        throw new IllegalArgumentException("timeout: must be more than 0");
      }
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      Map<String, Object> body = MessageBodies.parse(msg);
      if (body.get("_linkReturn") instanceof Number call) {
        Cancellable waiting = pending.remove(call.intValue());
        if (waiting == null) {
          context.warn("a return came after its call timed out: dropped");
          return;
        }
        waiting.cancel();
        body.remove("_linkReturn");
        MessageBodies.send(out, 0, body, msg);
        return;
      }
      String named = target;
      if (named == null) {
        if (!(body.get("target") instanceof String dynamic) || dynamic.isBlank()) {
          throw new IllegalArgumentException("msg.target: the name or id of a Link In is needed");
        }
        named = dynamic;
      }
      LinkTargets.Target called = targets.resolve(context.flowId(), named);
      int call = ++nextCall;
      List<Object> stack =
          body.get("_linkSource") instanceof List<?> list
              ? new ArrayList<>(list)
              : new ArrayList<>();
      Map<String, Object> source = new LinkedHashMap<>();
      source.put("id", context.nodeId());
      source.put("call", call);
      source.put("flow", context.flowId());
      stack.add(source);
      body.put("_linkSource", stack);
      Cancellable waiting = out.defer(msg, timeoutMs, call);
      pending.put(call, waiting);
      if (!deliver(context, called.flowId(), called.nodeId(), JsonCodec.write(body), msg)) {
        pending.remove(call);
        waiting.cancel();
        throw new IllegalStateException("link '" + named + "' did not take the call");
      }
    }

    @Override
    public void onDeferred(MessageFlyweight msg, int call, Output out) {
      if (pending.remove(call) != null) {
        throw new IllegalStateException(
            "no return from link '"
                + (target == null ? "msg.target" : target)
                + "' within "
                + timeoutMs
                + " ms");
      }
    }
  }
}
