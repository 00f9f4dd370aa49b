package dev.z8run.store.lmdb;

/**
 * Work done inside one transaction. It runs on the thread {@link LmdbEnvironment} chooses (the
 * writer thread for writes) and must not block, wait for other threads, start another transaction
 * (a nested {@code read} or {@code write}) or keep the {@link Tx}. A write is committed only if the
 * work returns normally; an exception aborts it. After a map-full abort the work runs again from
 * the start, so it must not have side effects outside the {@link Tx}.
 */
@FunctionalInterface
public interface TxnWork<R> {
  R run(Tx tx);
}
