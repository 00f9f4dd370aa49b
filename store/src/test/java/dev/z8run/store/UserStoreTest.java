package dev.z8run.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserStoreTest {
  private static final String HASH = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA";

  @TempDir Path dataDir;

  private Store store;
  private UserStore users;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.of(dataDir));
    users = store.users();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldFindAUserByIdAndByName() {
    UserRecord created = users.create("Ada", HASH, 1234L);

    assertEquals(new UserRecord(created.id(), "Ada", HASH, 1234L), created);
    assertEquals(created, users.find(created.id()).orElseThrow());
    assertEquals(created, users.findByName("Ada").orElseThrow());
    assertTrue(users.find("no-such-id").isEmpty());
    assertTrue(users.findByName("Grace").isEmpty());
  }

  @Test
  void shouldFindAUserByNameInAnyLetterCase() {
    UserRecord created = users.create("Ada", HASH, 1L);

    assertEquals(created, users.findByName("ada").orElseThrow());
    assertEquals(created, users.findByName("ADA").orElseThrow());
  }

  @Test
  void shouldRefuseATakenNameInAnyLetterCase() {
    users.create("Ada", HASH, 1L);

    UsernameTakenException e =
        assertThrows(UsernameTakenException.class, () -> users.create("aDA", HASH, 2L));
    assertEquals("aDA", e.username());
    assertEquals(1, users.count());
  }

  @Test
  void shouldCountUsersFromZero() {
    assertEquals(0, users.count());
    UserRecord ada = users.create("ada", HASH, 1L);
    UserRecord grace = users.create("grace", HASH, 2L);

    assertEquals(2, users.count());
    assertNotEquals(ada.id(), grace.id());
  }

  @Test
  void shouldKeepUsersAcrossReopen() {
    UserRecord created = users.create("ada", HASH, 1L);
    store.close();
    store = Store.open(StoreConfig.of(dataDir));

    assertEquals(created, store.users().findByName("ADA").orElseThrow());
    assertEquals(1, store.users().count());
  }

  @Test
  void shouldLeaveThePasswordHashOutOfToString() {
    UserRecord created = users.create("ada", HASH, 1L);

    assertFalse(created.toString().contains(HASH));
  }

  @Test
  void shouldRejectAnEmptyNameOrHash() {
    assertThrows(IllegalArgumentException.class, () -> users.create("", HASH, 1L));
    assertThrows(IllegalArgumentException.class, () -> users.create("ada", "", 1L));
    assertEquals(0, users.count());
  }
}
