package dev.z8run.api.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Hashes and checks passwords with argon2id (RFC 9106) through BouncyCastle's {@link
 * Argon2BytesGenerator}, stored as the PHC string the reference implementation prints:
 *
 * <pre>
 *   $argon2id$v=19$m=19456,t=2,p=1$&lt;salt&gt;$&lt;hash&gt;
 *             |    |       |   |     |        '-- 32-byte tag, base64 without padding
 *             |    |       |   |     '-- 16 random bytes, base64 without padding
 *             |    |       |   '-- lanes
 *             |    |       '-- passes over memory
 *             |    '-- memory in KiB
 *             '-- algorithm version 0x13 (19); 16 (0x10) is read too
 * </pre>
 *
 * <p>New hashes use the parameters given at construction, by default OWASP's argon2id minimum
 * (m=19456 KiB, t=2, p=1): about 19 MiB and a few tens of milliseconds per hash. {@link #verify}
 * reads the parameters from the stored string, so hashes made with other settings keep working;
 * {@link #needsRehash} says when a successful login should store a fresh hash with the current
 * ones. Passwords are encoded as UTF-8 without normalisation.
 *
 * <p>Thread-safe: every call uses its own generator. Each call blocks for the hash's duration and
 * allocates its memory cost, so run it on a virtual thread, never on an engine worker.
 */
public final class PasswordHasher {
  public static final String ALGORITHM = "argon2id";
  public static final int DEFAULT_MEMORY_KIB = 19_456;
  public static final int DEFAULT_ITERATIONS = 2;
  public static final int DEFAULT_PARALLELISM = 1;
  public static final int SALT_BYTES = 16;
  public static final int HASH_BYTES = 32;

  /**
   * Ceilings on what a stored string may ask for, so a damaged or planted record cannot make one
   * login allocate gigabytes or spin for minutes.
   */
  public static final int MAX_MEMORY_KIB = 1_048_576;

  public static final int MAX_ITERATIONS = 64;
  public static final int MAX_PARALLELISM = 64;

  private static final int MIN_SALT_BYTES = 8;
  private static final int MIN_HASH_BYTES = 4;
  private static final int MAX_HASH_BYTES = 1024;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getDecoder();

  private final int memoryKib;
  private final int iterations;
  private final int parallelism;
  private final SecureRandom random;
  private volatile String dummyHash;

  /** A hasher with OWASP's argon2id parameters (m=19456 KiB, t=2, p=1). */
  public PasswordHasher() {
    this(DEFAULT_MEMORY_KIB, DEFAULT_ITERATIONS, DEFAULT_PARALLELISM);
  }

  /**
   * A hasher whose new hashes use these parameters.
   *
   * @throws IllegalArgumentException if a parameter is outside what argon2 allows or above this
   *     class's ceilings
   */
  public PasswordHasher(int memoryKib, int iterations, int parallelism) {
    checkParameters(memoryKib, iterations, parallelism, "");
    this.memoryKib = memoryKib;
    this.iterations = iterations;
    this.parallelism = parallelism;
    this.random = new SecureRandom();
  }

  /** Hashes {@code password} with a fresh random salt; answers the PHC string to store. */
  public String hash(CharSequence password) {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    byte[] tag =
        argon2(
            password,
            Argon2Parameters.ARGON2_VERSION_13,
            memoryKib,
            iterations,
            parallelism,
            salt,
            HASH_BYTES);
    return "$%s$v=%d$m=%d,t=%d,p=%d$%s$%s"
        .formatted(
            ALGORITHM,
            Argon2Parameters.ARGON2_VERSION_13,
            memoryKib,
            iterations,
            parallelism,
            B64.encodeToString(salt),
            B64.encodeToString(tag));
  }

  /**
   * Checks {@code password} against a stored PHC string, comparing in constant time.
   *
   * @return whether the password matches
   * @throws MalformedHashException if {@code encoded} is not an argon2id PHC string within this
   *     class's ceilings
   */
  public boolean verify(CharSequence password, String encoded) {
    Objects.requireNonNull(password, "password");
    PhcString phc = PhcString.parse(encoded);
    byte[] actual =
        argon2(
            password,
            phc.version,
            phc.memoryKib,
            phc.iterations,
            phc.parallelism,
            phc.salt,
            phc.hash.length);
    return MessageDigest.isEqual(actual, phc.hash);
  }

  /**
   * Whether a hash that just verified should be replaced by {@link #hash} of the same password:
   * true when it was made with other parameters, an older version or a shorter salt or tag.
   *
   * @throws MalformedHashException if {@code encoded} is not an argon2id PHC string
   */
  public boolean needsRehash(String encoded) {
    PhcString phc = PhcString.parse(encoded);
    return phc.version != Argon2Parameters.ARGON2_VERSION_13
        || phc.memoryKib != memoryKib
        || phc.iterations != iterations
        || phc.parallelism != parallelism
        || phc.salt.length < SALT_BYTES
        || phc.hash.length != HASH_BYTES;
  }

  /**
   * A valid hash of no user's password, made once per hasher. A login for an unknown user name
   * should {@link #verify} against it and answer like a wrong password, so that the response time
   * does not tell which user names exist.
   */
  public String dummyHash() {
    String hash = dummyHash;
    if (hash == null) {
      byte[] noise = new byte[SALT_BYTES];
      random.nextBytes(noise);
      hash = hash(B64.encodeToString(noise));
      dummyHash = hash;
    }
    return hash;
  }

  @Override
  public String toString() {
    return "PasswordHasher["
        + ALGORITHM
        + ", m="
        + memoryKib
        + " KiB, t="
        + iterations
        + ", p="
        + parallelism
        + "]";
  }

  private static byte[] argon2(
      CharSequence password,
      int version,
      int memoryKib,
      int iterations,
      int parallelism,
      byte[] salt,
      int tagBytes) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(version)
            .withMemoryAsKB(memoryKib)
            .withIterations(iterations)
            .withParallelism(parallelism)
            .withSalt(salt)
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] passwordBytes = utf8(password);
    byte[] tag = new byte[tagBytes];
    try {
      generator.generateBytes(passwordBytes, tag);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
    return tag;
  }

  /** UTF-8 bytes without an intermediate String, so the caller's char[] copy can be wiped. */
  private static byte[] utf8(CharSequence password) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    return bytes;
  }

  private static void checkParameters(
      int memoryKib, int iterations, int parallelism, String context) {
    if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
      throw new IllegalArgumentException(
          context + "p=" + parallelism + " is outside 1.." + MAX_PARALLELISM);
    }
    if (iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException(
          context + "t=" + iterations + " is outside 1.." + MAX_ITERATIONS);
    }
    // argon2 needs at least 8 KiB per lane
    if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
      throw new IllegalArgumentException(
          context
              + "m="
              + memoryKib
              + " is outside "
              + 8 * parallelism
              + ".."
              + MAX_MEMORY_KIB
              + " (KiB, at least 8 per lane)");
    }
  }

  /** The fields of {@code $argon2id[$v=V]$m=M,t=T,p=P$salt$hash}, checked. */
  private record PhcString(
      int version, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
    private static final String PREFIX = "password hash: ";

    static PhcString parse(String encoded) {
      if (encoded == null || encoded.isEmpty()) {
        throw new MalformedHashException(PREFIX + "is empty");
      }
      String[] parts = encoded.split("\\$", -1);
      if (parts.length < 5 || parts.length > 6 || !parts[0].isEmpty()) {
        throw new MalformedHashException(
            PREFIX
                + "expected $argon2id$v=19$m=..,t=..,p=..$salt$hash,"
                + " found "
                + (parts.length - 1)
                + " '$'-separated fields");
      }
      if (!ALGORITHM.equals(parts[1])) {
        throw new MalformedHashException(
            PREFIX + "algorithm '" + printable(parts[1]) + "' is not supported, only " + ALGORITHM);
      }
      int field = 2;
      // the version field is optional in the PHC format; without it the hash is argon2 1.0 (16)
      int version = Argon2Parameters.ARGON2_VERSION_10;
      if (parts.length == 6) {
        version = parseVersion(parts[field++]);
      }
      int[] mtp = parseParameters(parts[field++]);
      byte[] salt = decode(parts[field++], "salt", MIN_SALT_BYTES, Integer.MAX_VALUE);
      byte[] hash = decode(parts[field], "hash", MIN_HASH_BYTES, MAX_HASH_BYTES);
      return new PhcString(version, mtp[0], mtp[1], mtp[2], salt, hash);
    }

    private static int parseVersion(String text) {
      if (!text.startsWith("v=")) {
        throw new MalformedHashException(
            PREFIX + "expected version field v=19, found '" + printable(text) + "'");
      }
      int version = parseNumber(text.substring(2), "v");
      if (version != Argon2Parameters.ARGON2_VERSION_13
          && version != Argon2Parameters.ARGON2_VERSION_10) {
        throw new MalformedHashException(
            PREFIX + "version v=" + version + " is not supported (19 or 16)");
      }
      return version;
    }

    private static int[] parseParameters(String text) {
      String[] pairs = text.split(",", -1);
      String[] names = {"m", "t", "p"};
      if (pairs.length != names.length) {
        throw new MalformedHashException(
            PREFIX
                + "expected parameters m=..,t=..,p=.., found "
                + pairs.length
                + " comma-separated fields");
      }
      int[] values = new int[names.length];
      for (int i = 0; i < names.length; i++) {
        if (!pairs[i].startsWith(names[i] + "=")) {
          throw new MalformedHashException(
              PREFIX
                  + "parameter "
                  + (i + 1)
                  + " should be "
                  + names[i]
                  + "=<number>, found '"
                  + printable(pairs[i])
                  + "'");
        }
        values[i] = parseNumber(pairs[i].substring(2), names[i]);
      }
      try {
        checkParameters(values[0], values[1], values[2], PREFIX);
      } catch (IllegalArgumentException e) {
        throw new MalformedHashException(e.getMessage());
      }
      return values;
    }

    private static int parseNumber(String digits, String name) {
      boolean plainDigits = !digits.isEmpty() && digits.length() <= 9;
      for (int i = 0; plainDigits && i < digits.length(); i++) {
        plainDigits = digits.charAt(i) >= '0' && digits.charAt(i) <= '9';
      }
      if (!plainDigits) {
        throw new MalformedHashException(
            PREFIX + name + "='" + printable(digits) + "' is not a decimal number");
      }
      return Integer.parseInt(digits);
    }

    private static byte[] decode(String text, String name, int minBytes, int maxBytes) {
      String notBase64 = PREFIX + name + " is not base64 without padding (standard alphabet)";
      // PHC strings carry no padding; the JDK decoder would accept it, so refuse it here
      if (text.indexOf('=') >= 0) {
        throw new MalformedHashException(notBase64);
      }
      byte[] bytes;
      try {
        bytes = B64_DECODER.decode(text);
      } catch (IllegalArgumentException e) {
        throw new MalformedHashException(notBase64);
      }
      if (bytes.length < minBytes || bytes.length > maxBytes) {
        throw new MalformedHashException(
            PREFIX
                + name
                + " is "
                + bytes.length
                + " bytes, expected "
                + minBytes
                + (maxBytes == Integer.MAX_VALUE ? " or more" : ".." + maxBytes));
      }
      return bytes;
    }

    /** Field text for a message, cut short and without control characters. */
    private static String printable(String text) {
      String cut = text.length() > 16 ? text.substring(0, 16) + "..." : text;
      return cut.replaceAll("\\p{Cntrl}", "?");
    }
  }
}
