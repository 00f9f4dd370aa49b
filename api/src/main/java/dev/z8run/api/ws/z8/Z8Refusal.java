package dev.z8run.api.ws.z8;

/**
 * A payload that is not a {@code ProtocolMessage} this server reads.
 *
 * @param code the ERROR code to answer: 400 malformed, 415 well-formed but not readable in this
 *     encoding (a {@code serde_json::Value} in bincode)
 * @param reason what was wrong, naming the value
 */
public record Z8Refusal(int code, String reason) implements Z8Decoded {}
