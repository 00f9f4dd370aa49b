package dev.z8run.nodes;

import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.nodes.ai.AiAgentNode;
import dev.z8run.nodes.ai.ClassifierNode;
import dev.z8run.nodes.ai.EmbeddingsNode;
import dev.z8run.nodes.ai.ImageGenNode;
import dev.z8run.nodes.ai.LlmNode;
import dev.z8run.nodes.ai.PromptTemplateNode;
import dev.z8run.nodes.ai.StructuredOutputNode;
import dev.z8run.nodes.ai.SummarizerNode;
import dev.z8run.nodes.ai.TextSplitterNode;
import dev.z8run.nodes.ai.VectorStoreNode;
import dev.z8run.nodes.data.DatabaseNode;
import dev.z8run.nodes.data.MqttNodes;
import dev.z8run.nodes.function.FunctionNode;
import dev.z8run.nodes.network.HttpInNode;
import dev.z8run.nodes.network.HttpRequestNode;
import dev.z8run.nodes.network.HttpResponseNode;
import dev.z8run.nodes.network.WebhookNode;
import dev.z8run.nodes.observe.CommentNode;
import dev.z8run.nodes.observe.CounterNode;
import dev.z8run.nodes.observe.DebugNode;
import dev.z8run.nodes.observe.ObserverNode;
import dev.z8run.nodes.routing.BatchNode;
import dev.z8run.nodes.routing.FilterNode;
import dev.z8run.nodes.routing.JoinNode;
import dev.z8run.nodes.routing.JunctionNode;
import dev.z8run.nodes.routing.LinkNodes;
import dev.z8run.nodes.routing.RbeNode;
import dev.z8run.nodes.routing.SortNode;
import dev.z8run.nodes.routing.SplitNode;
import dev.z8run.nodes.routing.SwitchNode;
import dev.z8run.nodes.timing.DelayNode;
import dev.z8run.nodes.timing.InjectNode;
import dev.z8run.nodes.timing.TimerNode;
import dev.z8run.nodes.timing.TriggerNode;
import dev.z8run.nodes.transform.ChangeNode;
import dev.z8run.nodes.transform.CsvNode;
import dev.z8run.nodes.transform.HtmlNode;
import dev.z8run.nodes.transform.JsonNode;
import dev.z8run.nodes.transform.RangeNode;
import dev.z8run.nodes.transform.TemplateNode;
import dev.z8run.nodes.transform.XmlNode;
import dev.z8run.nodes.transform.YamlNode;

/** Registers every built-in node type. */
public final class BuiltinNodes {
  private BuiltinNodes() {}

  /** Adds the built-in types to {@code registry} and returns it. */
  public static NodeTypeRegistry register(NodeTypeRegistry registry) {
    registry.register(InjectNode.TYPE);
    registry.register(JunctionNode.TYPE);
    registry.register(ChangeNode.TYPE);
    registry.register(FunctionNode.TYPE);
    registry.register(CounterNode.TYPE);
    registry.register(DebugNode.TYPE);
    registry.register(HttpInNode.TYPE);
    registry.register(HttpResponseNode.TYPE);
    registry.register(WebhookNode.TYPE);
    registry.register(SwitchNode.TYPE);
    registry.register(FilterNode.TYPE);
    registry.register(RangeNode.TYPE);
    registry.register(CommentNode.TYPE);
    registry.register(SplitNode.TYPE);
    registry.register(TemplateNode.TYPE);
    registry.register(JsonNode.TYPE);
    registry.register(HttpRequestNode.TYPE);
    registry.register(TimerNode.TYPE);
    registry.register(DelayNode.TYPE);
    registry.register(JoinNode.TYPE);
    registry.register(ObserverNode.CATCH);
    registry.register(ObserverNode.STATUS);
    registry.register(ObserverNode.COMPLETE);
    registry.register(LinkNodes.LINK_IN);
    registry.register(LinkNodes.LINK_OUT);
    registry.register(LinkNodes.LINK_CALL);
    registry.register(LlmNode.TYPE);
    registry.register(EmbeddingsNode.TYPE);
    registry.register(ClassifierNode.TYPE);
    registry.register(PromptTemplateNode.TYPE);
    registry.register(TextSplitterNode.TYPE);
    registry.register(VectorStoreNode.TYPE);
    registry.register(StructuredOutputNode.TYPE);
    registry.register(SummarizerNode.TYPE);
    registry.register(AiAgentNode.TYPE);
    registry.register(ImageGenNode.TYPE);
    registry.register(RbeNode.TYPE);
    registry.register(TriggerNode.TYPE);
    registry.register(CsvNode.TYPE);
    registry.register(SortNode.TYPE);
    registry.register(BatchNode.TYPE);
    registry.register(YamlNode.TYPE);
    registry.register(XmlNode.TYPE);
    registry.register(HtmlNode.TYPE);
    registry.register(DatabaseNode.TYPE);
    registry.register(MqttNodes.MQTT_IN);
    registry.register(MqttNodes.MQTT_OUT);
    registry.register(MqttNodes.MQTT);
    return registry;
  }

  /** A new registry holding just the built-in types. */
  public static NodeTypeRegistry registry() {
    return register(new NodeTypeRegistry());
  }
}
