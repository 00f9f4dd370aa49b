package dev.z8run.store.lmdb;

/**
 * The named LMDB databases of the store and what their keys and values are. This enum is the
 * schema: a change to a key or value layout here raises {@code Store.SCHEMA_VERSION}.
 *
 * <p>Every identifier in a key is UTF-8 without NUL bytes ({@link Keys#id}), so {@code 0x00} can
 * separate the parts of a composite key, and a prefix scan over {@code id + 0x00} finds exactly
 * that id's entries. Numbers in keys are big-endian so that LMDB's byte order is numeric order.
 */
public enum Table {
  /** Store-wide settings: key = ASCII name ({@code schema_version}, {@code vault.*}). */
  META("meta"),
  /**
   * The current state of each flow: key = flow id; value = the flow header ({@code
   * FlowRecordCodec}): owner, current revision, status, timestamps. Flow ids are unique store-wide.
   */
  FLOWS("flows"),
  /** Index of flows by owner: key = owner id, 0x00, flow id; value = empty. */
  FLOW_OWNERS("flow_owners"),
  /**
   * Every revision of every flow: key = flow id, 0x00, revision as a big-endian i32; value = the
   * revision header and the flow document JSON.
   */
  REVISIONS("revisions"),
  /** Users: key = user id; value = the user as JSON. */
  USERS("users"),
  /** Unique user names: key = the user name in lower case (Locale.ROOT); value = user id. */
  USERNAMES("usernames"),
  /**
   * Unique e-mail addresses of users who gave one: key = the address in lower case (Locale.ROOT);
   * value = user id. Added without a schema change: stores written before it simply have none.
   */
  USER_EMAILS("user_emails"),
  /**
   * Vault entries: key = owner id, 0x00, entry name; value = the sealed blob ({@code VaultCipher}).
   */
  VAULT("vault"),
  /**
   * Recent executions: key = flow id, 0x00, sequence as a big-endian i64; value = the execution
   * record JSON as given.
   */
  EXECUTIONS("executions"),
  /** Installed plugins: key = plugin name; value = the record of {@code PluginStore}. */
  PLUGINS("plugins"),
  /**
   * Persistent context of plugin nodes: key = flow id, 0x00, node id, 0x00, context key; value =
   * UTF-8 JSON.
   */
  PLUGIN_CONTEXT("plugin_context"),
  /**
   * Vector collections: key = owner id, 0x00, collection name; value = the collection header
   * ({@code VectorCodec}): dimensions, next sequence number, entry count, generation.
   */
  VECTOR_COLLECTIONS("vector_collections"),
  /**
   * Vector entries: key = owner id, 0x00, collection, 0x00, entry id; value = the entry ({@code
   * VectorCodec}): its sequence number, the vector, the text and the metadata JSON.
   */
  VECTORS("vectors"),
  /**
   * The live entries of each collection in the order they were written: key = owner id, 0x00,
   * collection, 0x00, sequence as a big-endian i64; value = the entry id. An index catches up by
   * reading the keys past the sequence it has.
   */
  VECTOR_SEQUENCE("vector_sequence"),
  /**
   * Deleted entries, as the live ones: key = owner id, 0x00, collection, 0x00, sequence i64 BE;
   * value = the entry id. Trimmed to the newest {@code VectorStore.MAX_TOMBSTONES}.
   */
  VECTOR_TOMBSTONES("vector_tombstones"),
  /**
   * Shared connections (database, MQTT): key = owner id, 0x00, connection id; value = the
   * connection as UTF-8 JSON ({@code ConnectionStore}), its password a {@code vault:} reference.
   * Added without a schema change: stores written before it simply have none.
   */
  CONNECTIONS("connections");

  private final String dbName;

  Table(String dbName) {
    this.dbName = dbName;
  }

  /** The LMDB database name. */
  public String dbName() {
    return dbName;
  }
}
