package dev.z8run.api.ws.z8;

/** What decoding a payload gave: a {@link Z8Message}, or a {@link Z8Refusal} saying why not. */
public sealed interface Z8Decoded permits Z8Message, Z8Refusal {}
