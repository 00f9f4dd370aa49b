/**
 * z8run's persistent state: {@link dev.z8run.store.Store} opens one LMDB environment under the data
 * directory and hands out the stores of its parts: {@link dev.z8run.store.FlowStore} (flows and
 * every revision, owned by users), {@link dev.z8run.store.UserStore}, {@link
 * dev.z8run.store.ExecutionStore} and the vault ({@link dev.z8run.store.vault}).
 *
 * <p>Owns: what is kept and its on-disk layout (the tables are listed in {@link
 * dev.z8run.store.lmdb.Table}), ownership checks (a record of another user looks missing), the
 * schema version. Must not touch: HTTP (no status codes, no request types; the api module maps
 * empty results to 404 and exceptions to errors), the engine (it stores flow documents and opaque
 * execution JSON, never deploys or runs anything), or the process environment (secrets and paths
 * come in through {@link dev.z8run.store.StoreConfig}).
 */
package dev.z8run.store;
