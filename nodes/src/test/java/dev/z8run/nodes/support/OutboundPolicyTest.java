package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

/** The outbound policy's entries, checked against literal addresses (no DNS). */
class OutboundPolicyTest {
  private static InetAddress[] at(String... literals) throws UnknownHostException {
    InetAddress[] addresses = new InetAddress[literals.length];
    for (int i = 0; i < literals.length; i++) {
      addresses[i] = InetAddress.getByName(literals[i]);
    }
    return addresses;
  }

  @Test
  void shouldAllowOnlyPublicAddressesByDefault() throws UnknownHostException {
    OutboundPolicy policy = OutboundPolicy.parse(OutboundPolicy.DEFAULT);

    assertNull(policy.check("example.com", at("93.184.215.14", "2606:2800:21f:cb07::1")));
    for (String blocked :
        new String[] {
          "127.0.0.1",
          "10.0.0.1",
          "172.16.5.4",
          "192.168.1.1",
          "169.254.169.254",
          "100.64.0.1",
          "0.0.0.0",
          "224.0.0.1",
          "255.255.255.255",
          "::1",
          "fe80::1",
          "fd00::1",
          "::ffff:127.0.0.1"
        }) {
      String refused = policy.check("h", at(blocked));
      assertTrue(
          refused != null
              && refused.endsWith(
                  "is not allowed by the outbound policy" + " Z8_HTTP_ALLOW=public"),
          blocked + ": " + refused);
    }
    assertTrue(policy.check("mixed", at("93.184.215.14", "10.0.0.1")) != null, "every address");
  }

  @Test
  void shouldRefuseEveryIpv6FormThatEmbedsAPrivateIpv4Address() throws UnknownHostException {
    OutboundPolicy policy = OutboundPolicy.parse(OutboundPolicy.DEFAULT);

    for (String embedded :
        new String[] {
          "::127.0.0.1", // IPv4-compatible
          "64:ff9b::7f00:1", // NAT64, well-known prefix
          "64:ff9b:1::a00:1", // NAT64, local-use prefix
          "::ffff:0:7f00:1", // IPv4-translated
          "2002:7f00:1::1", // 6to4
          "2002:a9fe:a9fe::1", // 6to4 to the cloud metadata address
          "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1
          "::", // unspecified
          "2001:db8::1" // documentation
        }) {
      assertTrue(policy.check("h", at(embedded)) != null, embedded + " passed");
    }
    assertNull(policy.check("h", at("64:ff9b::5db8:d70e")), "NAT64 to a public address");
  }

  @Test
  void shouldAllowNamedHostsSubdomainsAndNetworks() throws UnknownHostException {
    OutboundPolicy policy =
        OutboundPolicy.parse("nas.home.arpa, *.corp.example, 192.168.1.0/24, fd00::/8");

    assertNull(policy.check("NAS.home.arpa", at("10.9.9.9")));
    assertNull(policy.check("git.corp.example", at("10.1.1.1")));
    assertTrue(policy.check("corp.example", at("10.1.1.1")) != null, "suffix is not the apex");
    assertNull(policy.check("printer", at("192.168.1.77")));
    assertTrue(policy.check("printer", at("192.168.2.77")) != null);
    assertNull(policy.check("v6", at("fd12::5")));
    assertTrue(policy.check("example.com", at("93.184.215.14")) != null, "public not listed");
  }

  @Test
  void shouldAllowEverythingWithStar() throws UnknownHostException {
    assertNull(OutboundPolicy.parse("*").check("localhost", at("127.0.0.1")));
  }

  @Test
  void shouldRefuseMalformedNetworks() {
    assertEquals(
        "'10.0.0.0/33' has a prefix length outside 0..32",
        assertThrows(IllegalArgumentException.class, () -> OutboundPolicy.parse("10.0.0.0/33"))
            .getMessage());
  }
}
