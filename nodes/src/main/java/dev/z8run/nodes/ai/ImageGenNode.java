package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.ImageApi;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import dev.z8run.nodes.support.MessageBodies;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code image-gen}: generates an image from the message's prompt with OpenAI's images API (DALL-E,
 * gpt-image, compatible servers) or Stability AI. The image leaves as the binary payload (never
 * base64), with {@code payload = {url, provider, model, size, revised_prompt, media_type, bytes}}
 * ({@code url} when the provider gave one).
 */
public final class ImageGenNode implements Node {
  public static final NodeType TYPE =
      AiNodes.providerType(
              "image-gen",
              "Generates an image from a prompt (OpenAI images API, Stability AI) as a"
                  + " binary payload.",
              List.of("openai", "stability"),
              "openai",
              "dall-e-3",
              60_000)
          .outputs(new PortSpec("image", PortType.OBJECT), PortSpec.any("error"))
          .field(
              ConfigField.optional(
                  "size", FieldType.STRING, "1024x1024", "WIDTHxHEIGHT, as the model accepts."))
          .field(
              ConfigField.optional(
                  "quality",
                  FieldType.STRING,
                  "standard",
                  "OpenAI: standard or hd (DALL-E 3), low/medium/high (gpt-image); empty: omit."))
          .field(
              ConfigField.optional(
                  "style",
                  FieldType.STRING,
                  "vivid",
                  "OpenAI DALL-E 3: vivid or natural; empty: omit."))
          .factory(ImageGenNode::new)
          .build();

  private static final List<String> TEXT_KEYS =
      List.of("prompt", "text", "body", "input", "content");

  private final AiNodes.ErrorPort errors;
  private final ProviderClient client;
  private final ImageApi api;
  private final String size;
  private final String quality;
  private final String style;

  private ImageGenNode(NodeContext context) {
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), 1);
    Provider provider = Provider.of(context.configString("provider", "openai"));
    if (provider != Provider.OPENAI && provider != Provider.STABILITY) {
      throw new IllegalArgumentException("provider: images come from openai or stability");
    }
    String defaultModel =
        provider == Provider.STABILITY ? "stable-diffusion-xl-1024-v1-0" : "dall-e-3";
    this.client = AiNodes.client(context, ProviderSettings.from(context, provider, defaultModel));
    this.api = new ImageApi(client);
    this.size = context.configString("size", "1024x1024").strip();
    this.quality = context.configString("quality", "standard").strip();
    this.style = context.configString("style", "vivid").strip();
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Map<String, Object> body = MessageBodies.parse(msg);
    String prompt = AiNodes.text(body.get("payload"), TEXT_KEYS);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("provider", client.settings().provider().id());
    details.put("model", client.settings().model());
    if (prompt.isBlank()) {
      errors.send(msg, body, out, AiNodes.noText("prompt", TEXT_KEYS), details);
      return;
    }
    ImageApi.Image image;
    try {
      image = api.generate(prompt, size, quality, style);
    } catch (ProviderException failed) {
      if (failed.status() > 0) {
        details.put("status", (long) failed.status());
      }
      errors.send(msg, body, out, failed.getMessage(), details);
      return;
    }
    client.counters().tokens(0, 0);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("url", image.url());
    result.put("provider", client.settings().provider().id());
    result.put("model", client.settings().model());
    result.put("size", size);
    if (image.revisedPrompt() != null) {
      result.put("revised_prompt", image.revisedPrompt());
    }
    result.put("media_type", image.mediaType());
    result.put("bytes", (long) image.bytes().length);
    body.put("payload", result);
    byte[] json = JsonCodec.write(body);
    out.send(
        0,
        new MessageBodyView()
            .json(new UnsafeBuffer(json), 0, json.length)
            .binary(new UnsafeBuffer(image.bytes()), 0, image.bytes().length));
  }
}
