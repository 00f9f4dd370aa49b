package dev.z8run.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

    assertEquals(
        new UserRecord(
            created.id(), "Ada", "", List.of(UserRecord.ADMIN, UserRecord.USER), HASH, 1234L),
        created);
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
  void shouldMakeTheFirstUserAnAdminAndNoOtherOne() {
    UserRecord ada = users.create("ada", "ada@example.com", HASH, 1L);
    UserRecord grace = users.create("grace", "", HASH, 2L);

    assertEquals(List.of(UserRecord.ADMIN, UserRecord.USER), ada.roles());
    assertEquals(List.of(UserRecord.USER), grace.roles());
    assertEquals(ada.roles(), users.find(ada.id()).orElseThrow().roles());
    assertFalse(users.find(grace.id()).orElseThrow().hasRole(UserRecord.ADMIN));
  }

  @Test
  void shouldFindAUserByEmailInAnyLetterCaseAndRefuseATakenOne() {
    UserRecord ada = users.create("ada", "Ada@Example.com", HASH, 1L);

    assertEquals(ada, users.findByEmail("ada@example.COM").orElseThrow());
    assertEquals("Ada@Example.com", ada.email());
    assertTrue(users.findByEmail("grace@example.com").isEmpty());
    EmailTakenException e =
        assertThrows(
            EmailTakenException.class, () -> users.create("adb", "ADA@example.com", HASH, 2L));
    assertEquals("ADA@example.com", e.email());
    assertEquals(1, users.count(), "nothing of the refused user is stored");
    assertTrue(users.findByName("adb").isEmpty());
    users.create("adb", "adb@example.com", HASH, 3L);
  }

  @Test
  void shouldReadAUserStoredBeforeRolesAndEmailsExisted() {
    store.close();
    // the value format before this change: no email, no roles
    try (LmdbEnvironment raw = LmdbEnvironment.open(dataDir, 1 << 20, 1 << 26)) {
      for (String[] old : new String[][] {{"old-1", "first", "5"}, {"old-2", "second", "9"}}) {
        byte[] value =
            JsonCodec.write(
                Map.of(
                    "v",
                    1,
                    "id",
                    old[0],
                    "username",
                    old[1],
                    "passwordHash",
                    HASH,
                    "createdAtMs",
                    Long.parseLong(old[2])));
        raw.write(
            tx -> {
              tx.put(Table.USERS, Keys.id("user id", old[0]), value);
              tx.put(Table.USERNAMES, Keys.id("user name", old[1]), Keys.id("user id", old[0]));
              return null;
            });
      }
    }
    store = Store.open(StoreConfig.of(dataDir));
    users = store.users();
    UserRecord first = users.findByName("first").orElseThrow();
    assertEquals("", first.email());
    assertEquals(List.of(UserRecord.ADMIN, UserRecord.USER), first.roles());
    assertEquals(List.of(UserRecord.USER), users.find("old-2").orElseThrow().roles());
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
