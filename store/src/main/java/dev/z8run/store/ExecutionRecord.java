package dev.z8run.store;

/**
 * One stored execution.
 *
 * @param sequence counts up per flow from 1; newer executions have larger numbers
 * @param json the record as given to {@link ExecutionStore#record}: a copy owned by the caller
 */
public record ExecutionRecord(long sequence, byte[] json) {}
