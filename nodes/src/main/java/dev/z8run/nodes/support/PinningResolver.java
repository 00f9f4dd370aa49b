package dev.z8run.nodes.support;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The JVM's name resolver (installed through {@link Provider}, a {@code
 * java.net.spi.InetAddressResolverProvider} service of this module): it answers as the JDK's own
 * resolver does, except for a host that is <em>pinned</em>: while an outbound call to it is under
 * way, every lookup of that name answers the addresses the outbound policy checked.
 *
 * <p>Why: the policy checks the addresses a name resolves to, and the HTTP client (or a driver)
 * resolves the name again when it connects. A name whose DNS answer changes between the two (DNS
 * rebinding: a public address for the check, {@code 127.0.0.1} for the connection) would otherwise
 * carry a request to an address nobody checked. The JDK's own cache sits in front of this resolver;
 * {@link OutboundPolicy#admit} checks what that cache answered as well, and when its entry expires
 * during the call the next lookup reaches this resolver, which answers the pin.
 *
 * <p>The JDK allows one resolver per JVM, so this one is global by nature. Thread-safe.
 */
public final class PinningResolver implements InetAddressResolver {
  private static final PinningResolver INSTANCE = new PinningResolver();

  private final ConcurrentHashMap<String, Pin> pins = new ConcurrentHashMap<>();
  private volatile InetAddressResolver delegate;

  private PinningResolver() {}

  /** The service the JDK loads on the first name lookup of the JVM. */
  public static final class Provider extends InetAddressResolverProvider {
    @Override
    public InetAddressResolver get(Configuration configuration) {
      INSTANCE.delegate = configuration.builtinResolver();
      return INSTANCE;
    }

    @Override
    public String name() {
      return "z8run pinning resolver";
    }
  }

  /** Whether the JVM resolves names through this resolver (its service was found). */
  public static boolean active() {
    return INSTANCE.delegate != null;
  }

  /**
   * Makes the JVM choose its resolver now, looking for services with this class's loader: the JDK
   * chooses once, at the first name lookup, through that thread's context class loader, which on
   * some threads (a library's, a plugin's) cannot see this module. Idempotent.
   *
   * @return {@link #active()}
   */
  public static boolean install() {
    if (active()) {
      return true;
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(PinningResolver.class.getClassLoader());
    try {
      InetAddress.getAllByName("localhost");
    } catch (UnknownHostException ignored) {
      // the lookup only had to happen
    } finally {
      thread.setContextClassLoader(previous);
    }
    return active();
  }

  /**
   * Makes {@code resolver} answer the lookups that no pin answers, until the returned handle is
   * closed (which puts the previous one back). For tests that need a name whose answer changes; the
   * JVM has one resolver, so it is process-wide.
   *
   * @throws IllegalStateException when this resolver is not the JVM's
   */
  public static AutoCloseable answerWith(InetAddressResolver resolver) {
    InetAddressResolver previous = INSTANCE.delegate;
    if (previous == null) {
      throw new IllegalStateException("the JVM does not resolve names through PinningResolver");
    }
    INSTANCE.delegate = resolver;
    return () -> INSTANCE.delegate = previous;
  }

  /** The JDK's own resolver (or the one a test put in its place). */
  public static InetAddressResolver delegate() {
    return INSTANCE.delegate;
  }

  /** A name's pin: the addresses every lookup answers while at least one call holds it. */
  static final class Pin {
    private final String host;
    private int holders = 1;
    private volatile InetAddress[] addresses;

    private Pin(String host) {
      this.host = host;
    }

    /** The pinned addresses, taking {@code resolved} when none are pinned yet. */
    synchronized InetAddress[] fill(InetAddress[] resolved) {
      if (addresses == null) {
        addresses = resolved.clone();
      }
      return addresses.clone();
    }

    /** Releases this holder's share of the pin. */
    void release() {
      INSTANCE.pins.computeIfPresent(host, (key, pin) -> --pin.holders == 0 ? null : pin);
    }
  }

  /** Pins {@code host} (a name, not an address literal) until {@link Pin#release}. */
  static Pin pin(String host) {
    String key = host.toLowerCase(Locale.ROOT);
    return INSTANCE.pins.compute(
        key,
        (name, pin) -> {
          if (pin == null) {
            return new Pin(name);
          }
          pin.holders++;
          return pin;
        });
  }

  @Override
  public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
      throws UnknownHostException {
    Pin pin = pins.get(host.toLowerCase(Locale.ROOT));
    if (pin == null) {
      return delegate.lookupByName(host, policy);
    }
    InetAddress[] pinned = pin.addresses;
    if (pinned == null) {
      pinned = pin.fill(delegate.lookupByName(host, policy).toArray(InetAddress[]::new));
    }
    List<InetAddress> answer = inFamilyOrder(pinned, policy.characteristics());
    if (answer.isEmpty()) {
      throw new UnknownHostException(host + ": no pinned address of the requested family");
    }
    return answer.stream();
  }

  @Override
  public String lookupByAddress(byte[] address) throws UnknownHostException {
    return delegate.lookupByAddress(address);
  }

  private static List<InetAddress> inFamilyOrder(InetAddress[] addresses, int characteristics) {
    boolean v4 = (characteristics & LookupPolicy.IPV4) != 0;
    boolean v6 = (characteristics & LookupPolicy.IPV6) != 0;
    List<InetAddress> first = new ArrayList<>();
    List<InetAddress> second = new ArrayList<>();
    boolean v6First = (characteristics & LookupPolicy.IPV6_FIRST) != 0;
    boolean v4First = (characteristics & LookupPolicy.IPV4_FIRST) != 0;
    for (InetAddress address : addresses) {
      boolean isV4 = address instanceof Inet4Address;
      if (isV4 ? !v4 : !(v6 && address instanceof Inet6Address)) {
        continue;
      }
      boolean early = v4First ? isV4 : v6First ? !isV4 : true;
      (early ? first : second).add(address);
    }
    first.addAll(second);
    return first;
  }
}
