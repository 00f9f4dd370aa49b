package dev.z8run.core.runtime;

/**
 * What one owner's flows reserve of the engine's off-heap memory budget: a snapshot ({@link
 * Engine#memoryByOwner()}).
 *
 * @param owner the owner as the flows were deployed with it; null for flows deployed without one
 * @param reservedBytes rings, execution tables and body blocks in flight together
 * @param blockBytes the part of {@code reservedBytes} that body blocks in flight hold
 * @param limitBytes the most the owner may reserve: the share, or the whole budget when exempt
 * @param exempt whether the owner is limited by the budget only
 */
public record OwnerMemory(
    String owner, long reservedBytes, long blockBytes, long limitBytes, boolean exempt) {}
