package dev.z8run.store;

/**
 * One entry of a flow's revision history, without the document ({@link FlowStore#revision} fetches
 * that).
 *
 * @param revision 1 for the first, counting up
 * @param createdAtMs when it was written (epoch milliseconds)
 * @param nodeCount how many nodes its document has
 */
public record RevisionInfo(int revision, long createdAtMs, int nodeCount) {}
