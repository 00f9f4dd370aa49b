/**
 * The LMDB plumbing under the store: one environment, its named tables, a single writer thread,
 * short read transactions, map growth, and a {@code byte[]} view of transactions ({@link
 * dev.z8run.store.lmdb.Tx}), and the binding to LMDB's C functions ({@code LmdbLibrary}, through
 * jffi; the library is the one lmdbjava bundles).
 *
 * <p>Owns: every LMDB call and every LMDB buffer. LMDB memory never leaves a transaction: values
 * are copied out, or lent to a visitor for the length of one call. Must not touch: what the bytes
 * mean (flows, users, vault blobs are the other store packages'), HTTP, the engine.
 */
package dev.z8run.store.lmdb;
