package dev.z8run.nodes.support;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts nodes may call (HTTP Request, later other outbound nodes): the server's outbound
 * policy, set by the administrator, never by a flow.
 *
 * <p>The policy is a comma-separated list, from the environment variable {@value #ENV}:
 *
 * <ul>
 *   <li>{@code public}: any host whose every address is a public (globally routable) one;
 *   <li>{@code *}: any host at all, private networks and this machine included;
 *   <li>{@code api.example.com}: that host name; {@code *.example.com}: its subdomains;
 *   <li>{@code 10.0.0.0/8}, {@code 192.168.1.5}, {@code fd00::/8}, {@code ::1}: addresses.
 * </ul>
 *
 * A request is allowed when its host name matches a name entry, or when every address the name
 * resolves to is covered by an address entry or (with {@code public}) is public. Unset, the policy
 * is {@code public}: flows may reach the internet but not this machine (loopback), the private
 * networks around it (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), link-local addresses
 * (169.254/16 and fe80::/10, where cloud metadata services answer with credentials) or multicast
 * and reserved ranges. An administrator who wants a flow to call a service on the LAN names it:
 * {@code Z8_HTTP_ALLOW=public,nas.home.arpa,192.168.1.0/24}; one who wants flows to reach only a
 * few hosts leaves {@code public} out: {@code Z8_HTTP_ALLOW=api.example.com}.
 *
 * <p>Addresses are checked after resolving the name, and the connection goes to a checked address:
 * {@link #admit} pins the name's checked addresses in the JVM's resolver ({@link PinningResolver})
 * until the call is done, so the HTTP client's own lookup when it connects answers them, even when
 * the name's DNS answer has changed in between (DNS rebinding). The data nodes (database, MQTT)
 * hold their admission as long as their live client, whose drivers resolve the name again on every
 * reconnection; a host allowed by name is not pinned. Immutable and thread-safe.
 */
public final class OutboundPolicy {
  /** The environment variable holding the policy. */
  public static final String ENV = "Z8_HTTP_ALLOW";

  /** The policy when {@value #ENV} is unset or blank. */
  public static final String DEFAULT = "public";

  static {
    PinningResolver.install(); // before any other lookup, on a thread whose loader can see it
  }

  private final String spec;
  private final boolean any;
  private final boolean publicHosts;
  private final List<String> names;
  private final List<String> suffixes;
  private final List<byte[]> networks;
  private final List<Integer> prefixes;

  private OutboundPolicy(String spec) {
    this.spec = spec;
    boolean anyHost = false;
    boolean publicOnes = false;
    names = new ArrayList<>();
    suffixes = new ArrayList<>();
    networks = new ArrayList<>();
    prefixes = new ArrayList<>();
    for (String raw : spec.split(",")) {
      String entry = raw.strip().toLowerCase(Locale.ROOT);
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.equals("*")) {
        anyHost = true;
      } else if (entry.equals("public")) {
        publicOnes = true;
      } else if (entry.startsWith("*.")) {
        suffixes.add(entry.substring(1));
      } else if (isAddress(entry)) {
        addNetwork(entry);
      } else {
        names.add(entry);
      }
    }
    this.any = anyHost;
    this.publicHosts = publicOnes;
  }

  /**
   * Reads a policy.
   *
   * @param spec the list described in the class comment; null or blank means {@value #DEFAULT}
   * @throws IllegalArgumentException naming the entry that is not a valid address or network
   */
  public static OutboundPolicy parse(String spec) {
    return new OutboundPolicy(spec == null || spec.isBlank() ? DEFAULT : spec.strip());
  }

  private static boolean isAddress(String entry) {
    String address = entry.contains("/") ? entry.substring(0, entry.indexOf('/')) : entry;
    return address.contains(":") || address.matches("[0-9.]+");
  }

  private void addNetwork(String entry) {
    int slash = entry.indexOf('/');
    String address = slash < 0 ? entry : entry.substring(0, slash);
    if (address.startsWith("[") && address.endsWith("]")) {
      address = address.substring(1, address.length() - 1);
    }
    byte[] bytes;
    try {
      // a literal: parsed without any DNS lookup
      bytes = InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException bad) {
      throw new IllegalArgumentException("'" + entry + "' is not an IP address or network");
    }
    int bits = bytes.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException notNumber) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > bits) {
        throw new IllegalArgumentException(
            "'" + entry + "' has a prefix length outside 0.." + bits);
      }
    }
    networks.add(bytes);
    prefixes.add(prefix);
  }

  /**
   * A call's admission by the policy: {@link #refusal()} says whether it may go on; while it is
   * open, the name's lookups answer the addresses that were checked. Connect inside it, then close.
   */
  public static final class Admission implements AutoCloseable {
    private final String refusal;
    private final PinningResolver.Pin pin;

    private Admission(String refusal, PinningResolver.Pin pin) {
      this.refusal = refusal;
      this.pin = pin;
    }

    /** Null when the call is allowed, else why not (naming the host, address and policy). */
    public String refusal() {
      return refusal;
    }

    @Override
    public void close() {
      if (pin != null) {
        pin.release();
      }
    }
  }

  /**
   * Resolves {@code host} (a name or an address literal, IPv6 in brackets or not), checks it, and
   * keeps the checked addresses as the name's answer until the admission is closed ({@link
   * PinningResolver}): the connection made inside it goes to an address this check saw. A host the
   * policy names (or {@code *}) is admitted without resolving it.
   *
   * @throws UnknownHostException when the name does not resolve
   */
  public Admission admit(String host) throws UnknownHostException {
    String name =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (any || names.contains(name.toLowerCase(Locale.ROOT)) || nameSuffixMatches(name)) {
      return new Admission(null, null);
    }
    if (isAddressLiteral(name) || !PinningResolver.active()) {
      return new Admission(check(host, InetAddress.getAllByName(name)), null);
    }
    PinningResolver.Pin pin = PinningResolver.pin(name);
    try {
      InetAddress[] looked = InetAddress.getAllByName(name); // the JDK's cache, or the pin
      InetAddress[] pinned = pin.fill(looked);
      InetAddress[] both = new InetAddress[looked.length + pinned.length];
      System.arraycopy(looked, 0, both, 0, looked.length);
      System.arraycopy(pinned, 0, both, looked.length, pinned.length);
      return new Admission(check(host, both), pin);
    } catch (UnknownHostException | RuntimeException failed) {
      pin.release();
      throw failed;
    }
  }

  private boolean nameSuffixMatches(String host) {
    String name = host.toLowerCase(Locale.ROOT);
    for (String suffix : suffixes) {
      if (name.endsWith(suffix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAddressLiteral(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  /**
   * Checks a request to {@code host}, which resolved to {@code addresses}.
   *
   * @return null when allowed, else the reason it is not
   */
  public String check(String host, InetAddress[] addresses) {
    if (any) {
      return null;
    }
    String name = host.toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    if (names.contains(name)) {
      return null;
    }
    for (String suffix : suffixes) {
      if (name.endsWith(suffix)) {
        return null;
      }
    }
    for (InetAddress given : addresses) {
      InetAddress address = normalise(given);
      if (!(publicHosts && isPublic(address)) && !inNetworks(address)) {
        return "host '"
            + host
            + "' ("
            + address.getHostAddress()
            + ") is not allowed by the outbound policy "
            + ENV
            + "="
            + spec;
      }
    }
    return addresses.length == 0 ? "host '" + host + "' has no address" : null;
  }

  private boolean inNetworks(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < networks.size(); i++) {
      byte[] network = networks.get(i);
      if (network.length == bytes.length && matches(network, bytes, prefixes.get(i))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] network, byte[] address, int prefix) {
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (network[i] != address[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (network[full] & mask) == (address[full] & mask);
  }

  /**
   * The IPv4 address an IPv6 address embeds, else the address itself: IPv4-mapped ({@code
   * ::ffff:a.b.c.d}), IPv4-compatible ({@code ::a.b.c.d}), IPv4-translated ({@code
   * ::ffff:0:a.b.c.d}), NAT64 ({@code 64:ff9b::/96} and {@code 64:ff9b:1::/48}), 6to4 ({@code
   * 2002::/16}) and Teredo ({@code 2001::/32}). Each of them reaches the IPv4 host through some
   * gateway, so the policy decides on that host.
   */
  static InetAddress normalise(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    int from = -1;
    boolean flip = false;
    if (zeros(b, 0, 10) && (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF) {
      from = 12; // mapped
    } else if (zeros(b, 0, 12) && !zeros(b, 12, 16) && !(zeros(b, 12, 15) && b[15] == 1)) {
      from = 12; // compatible (:: and ::1 stay IPv6)
    } else if (zeros(b, 0, 8)
        && (b[8] & 0xFF) == 0xFF
        && (b[9] & 0xFF) == 0xFF
        && zeros(b, 10, 12)) {
      from = 12; // translated
    } else if (b[0] == 0 && b[1] == 0x64 && (b[2] & 0xFF) == 0xFF && (b[3] & 0xFF) == 0x9B) {
      from = 12; // NAT64, well-known and local-use prefixes
    } else if (b[0] == 0x20 && b[1] == 0x02) {
      from = 2; // 6to4
    } else if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0) {
      from = 12; // Teredo: the client's address, inverted
      flip = true;
    }
    if (from < 0) {
      return address;
    }
    byte[] v4 = new byte[4];
    for (int i = 0; i < 4; i++) {
      v4[i] = (byte) (flip ? ~b[from + i] : b[from + i]);
    }
    try {
      return InetAddress.getByAddress(v4);
    } catch (UnknownHostException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static boolean zeros(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code address} is globally routable: not this machine, a private network, etc. */
  static boolean isPublic(InetAddress given) {
    InetAddress address = normalise(given);
    if (address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      return first != 0 // "this network"
          && !(first == 100 && second >= 64 && second < 128) // carrier-grade NAT
          && !(first == 192 && second == 0 && (b[2] & 0xFF) == 0) // IETF protocol assignments
          && !(first == 198 && (second == 18 || second == 19)) // benchmarking
          && first < 240; // reserved and broadcast
    }
    if (address instanceof Inet6Address) {
      int first = b[0] & 0xFF;
      return (first & 0xFE) != 0xFC // unique local fc00::/7
          && (first & 0xE0) == 0x20 // only global unicast 2000::/3 is routable
          && !(first == 0x20 && b[1] == 0x01 && b[2] == 0x0D && (b[3] & 0xFF) == 0xB8); // docs
    }
    return false;
  }

  @Override
  public String toString() {
    return ENV + "=" + spec;
  }
}
