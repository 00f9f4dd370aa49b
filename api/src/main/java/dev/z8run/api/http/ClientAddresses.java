package dev.z8run.api.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** What the server counts a client by, for every per-client limit. */
public final class ClientAddresses {
  private ClientAddresses() {}

  /**
   * The key to limit a client by: an IPv4 address as itself, an IPv6 address by its /64 prefix
   * (e.g. {@code "2001:db8:1:2:0:0:0:0/64"}), since one host or home network usually holds a whole
   * /64 and could otherwise rotate through billions of addresses.
   */
  public static String key(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] bytes = address.getAddress();
    Arrays.fill(bytes, 8, 16, (byte) 0);
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16-byte IPv6 address refused by InetAddress", e);
    }
  }

  /**
   * The key of a connection's remote address, as {@link #key} counts it, with no text made for an
   * IPv4 address (the address itself, equal by its four bytes): for limits checked per request.
   */
  public static Object of(java.net.SocketAddress remote) {
    if (remote instanceof java.net.InetSocketAddress inet
        && inet.getAddress() instanceof java.net.Inet4Address address) {
      return address;
    }
    return key(remote);
  }

  /**
   * The key of a connection's remote address as text: {@link #key(InetAddress)} of an IP address,
   * any other address (a socket that is not an IP one) as it prints.
   */
  public static String key(java.net.SocketAddress remote) {
    if (remote instanceof java.net.InetSocketAddress inet && inet.getAddress() != null) {
      return key(inet.getAddress());
    }
    return String.valueOf(remote);
  }
}
