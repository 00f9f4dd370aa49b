package dev.z8run.store;

import static dev.z8run.store.TestFlows.flow;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.store.vault.VaultKeyException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tour of the store, in the order a server meets it. Each test stands alone; read them top to
 * bottom.
 */
class StoreTutorialTest {
  @TempDir Path dataDir;

  /**
   * A store is one directory. {@link StoreConfig#of} gives the defaults (key-file vault, 64 MiB map
   * that doubles when full, 200 executions per flow); the server passes {@code Z8_DATA_DIR} and
   * {@code Z8_VAULT_SECRET} in, the store never reads the environment.
   */
  @Test
  void tutorial1OpenAStore() {
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      assertEquals(dataDir.toAbsolutePath().normalize(), store.dataDir());
      assertEquals(0, store.users().count());
    }
  }

  /**
   * Everything belongs to a user: register one first. The store keeps the password hash you give
   * it; hashing is the api module's job. Names are unique ignoring case.
   */
  @Test
  void tutorial2RegisterAUser() {
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      UserRecord ada = store.users().create("Ada", "$argon2id$...", System.currentTimeMillis());

      assertEquals(ada, store.users().findByName("ada").orElseThrow());
      assertThrows(UsernameTakenException.class, () -> store.users().create("ADA", "h", 0));
    }
  }

  /**
   * Flows are saved with history: create writes revision 1, every update the next one, and a
   * rollback writes a new revision holding an old document. Nothing is lost until delete.
   */
  @Test
  void tutorial3SaveAFlowAndItsHistory() {
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      String owner = store.users().create("ada", "h", 0).id();
      FlowStore flows = store.flows();

      flows.create(owner, flow("hello", "Hello", 1));
      flows.update(owner, flow("hello", "Hello, with a debug node", 2));
      FlowRecord back = flows.rollback(owner, "hello", 1).orElseThrow();

      assertEquals(3, back.revision());
      assertEquals("Hello", back.flow().name());
      assertEquals(
          List.of(1, 2, 3),
          flows.revisions(owner, "hello").stream().map(RevisionInfo::revision).toList());
    }
  }

  /**
   * Another user's flow is not there for you: get is empty, update and delete do nothing. The api
   * module answers 404 to both "missing" and "not yours".
   */
  @Test
  void tutorial4OwnersSeeOnlyTheirOwnFlows() {
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      store.flows().create("ada-id", flow("mine", "Mine", 1));

      assertTrue(store.flows().get("grace-id", "mine").isEmpty());
      assertTrue(store.flows().update("grace-id", flow("mine", "Ours", 1)).isEmpty());
    }
  }

  /**
   * A deployed flow is marked running; after a restart, {@link FlowStore#runningFlows} says what to
   * deploy again. Every write has reached the disk when its method returns.
   */
  @Test
  void tutorial5RunningFlowsComeBackAfterARestart() {
    Flow flow = flow("ticker", "Ticker", 2);
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      store.flows().create("ada-id", flow);
      store.flows().setStatus("ada-id", "ticker", FlowStatus.RUNNING);
    }
    try (Store restarted = Store.open(StoreConfig.of(dataDir))) {
      List<FlowRecord> toDeploy = restarted.flows().runningFlows();

      assertEquals(List.of(flow), toDeploy.stream().map(FlowRecord::flow).toList());
    }
  }

  /**
   * The engine records executions as opaque JSON; the store keeps the newest per flow and drops the
   * oldest in the same write.
   */
  @Test
  void tutorial6RecordExecutions() {
    try (Store store = Store.open(StoreConfig.builder(dataDir).executionsPerFlow(2).build())) {
      store.flows().create("ada-id", flow("f", "F", 1));
      for (int i = 1; i <= 3; i++) {
        store.executions().record("f", ("{\"run\":" + i + "}").getBytes(UTF_8));
      }

      List<ExecutionRecord> recent = store.executions().recent("ada-id", "f", 10);

      assertEquals(List.of(3L, 2L), recent.stream().map(ExecutionRecord::sequence).toList());
    }
  }

  /**
   * Secrets go to the vault, encrypted with AES-256-GCM. With a secret the key is derived from it;
   * the store remembers a check value, so starting with another secret fails at once.
   */
  @Test
  void tutorial7KeepSecretsInTheVault() {
    StoreConfig config =
        StoreConfig.builder(dataDir).vaultSecret("correct horse battery staple").build();
    try (Store store = Store.open(config)) {
      store.vault().put("ada-id", "openai.key", "sk-...");

      assertEquals(List.of("openai.key"), store.vault().list("ada-id"));
      assertEquals("sk-...", store.vault().get("ada-id", "openai.key").orElseThrow());
    }

    assertThrows(
        VaultKeyException.class,
        () -> Store.open(StoreConfig.builder(dataDir).vaultSecret("a different secret").build()));
  }
}
