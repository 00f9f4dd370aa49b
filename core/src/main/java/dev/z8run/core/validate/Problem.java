package dev.z8run.core.validate;

/** TEMPORARY STUB - replaced by the validator work. */
public record Problem(String nodeId, String field, String code, String message) {}
