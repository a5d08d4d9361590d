package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientAddressResolverTest {
  private static final String PROXY = "10.0.0.1";
  private static final String CLIENT = "203.0.113.9";

  private final ClientAddressResolver behindProxies =
      new ClientAddressResolver(List.of("10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.10"));

  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    ClientAddressResolver direct = new ClientAddressResolver(List.of());

    assertThat(direct.resolve(CLIENT, List.of("198.51.100.1"))).isEqualTo(CLIENT);
    assertThat(direct.resolve(PROXY, List.of("198.51.100.1"))).isEqualTo(PROXY);
  }

  @Test
  void anUntrustedPeerCannotSpoofItsAddress() {
    // The client names a trusted proxy and another client: neither is believed.
    assertThat(behindProxies.resolve(CLIENT, List.of("198.51.100.1, 10.0.0.7"))).isEqualTo(CLIENT);
    assertThat(behindProxies.resolve(CLIENT, List.of("10.0.0.7"))).isEqualTo(CLIENT);
  }

  @Test
  void aTrustedPeerIsBelievedAboutItsOwnPeer() {
    assertThat(behindProxies.resolve(PROXY, List.of(CLIENT))).isEqualTo(CLIENT);
    assertThat(behindProxies.resolve("192.0.2.10", List.of(CLIENT))).isEqualTo(CLIENT);
  }

  @Test
  void theWalkSkipsTrustedProxiesFromTheRightAndStopsAtTheFirstUntrusted() {
    // The client wrote "198.51.100.1, 10.9.9.9" itself; our proxies appended CLIENT and 10.0.0.2.
    assertThat(
            behindProxies.resolve(
                PROXY, List.of("198.51.100.1, 10.9.9.9, " + CLIENT + ", 10.0.0.2")))
        .isEqualTo(CLIENT);
  }

  @Test
  void severalHeaderLinesAreOneList() {
    assertThat(behindProxies.resolve(PROXY, List.of("198.51.100.1", CLIENT + ", 10.0.0.2")))
        .isEqualTo(CLIENT);
    assertThat(behindProxies.resolve(PROXY, List.of("198.51.100.1, " + CLIENT, "10.0.0.2")))
        .isEqualTo(CLIENT);
    assertThat(behindProxies.resolve(PROXY, List.of(CLIENT, "10.0.0.3", "10.0.0.2")))
        .isEqualTo(CLIENT);
  }

  @Test
  void whenEveryHopIsTrustedTheLeftmostIsTheClient() {
    assertThat(behindProxies.resolve(PROXY, List.of("10.0.0.3, 10.0.0.2"))).isEqualTo("10.0.0.3");
    assertThat(behindProxies.resolve(PROXY, List.of())).isEqualTo(PROXY);
  }

  @Test
  void emptyListElementsAreSkipped() {
    assertThat(behindProxies.resolve(PROXY, List.of(" , " + CLIENT + ",, ,"))).isEqualTo(CLIENT);
    assertThat(behindProxies.resolve(PROXY, List.of("", " "))).isEqualTo(PROXY);
  }

  @Test
  void ipv6ClientsProxiesAndPorts() {
    assertThat(behindProxies.resolve("2001:db8:ffff::1", List.of("2001:DB8:0:0:0:0:0:42")))
        .isEqualTo("2001:db8::42");
    assertThat(behindProxies.resolve("[2001:db8:ffff:1::1]:443", List.of("[2001:db8::42]:5555")))
        .isEqualTo("2001:db8::42");
    // Just outside the /48: not trusted, so its header is ignored.
    assertThat(behindProxies.resolve("2001:db8:fffe::1", List.of("2001:db8::42")))
        .isEqualTo("2001:db8:fffe::1");
    assertThat(behindProxies.resolve(PROXY, List.of("198.51.100.1:4711")))
        .isEqualTo("198.51.100.1");
  }

  @Test
  void anIpv4MappedPeerMatchesIpv4Ranges() {
    // A dual-stack listener reports IPv4 peers this way.
    assertThat(behindProxies.resolve("::ffff:10.0.0.1", List.of(CLIENT))).isEqualTo(CLIENT);
    assertThat(behindProxies.resolve("::ffff:203.0.113.9", List.of("198.51.100.1")))
        .isEqualTo(CLIENT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "unknown",
        "evil.example.com", // never looked up
        "1.2.3.4.5",
        "256.0.0.1",
        "[::1",
        "\u0663.0.0.1",
        "203.0.113.9; drop table",
        "198.51.100.1, garbage", // garbage nearest to us: nothing left of it is believed
        "\u0000",
      })
  void garbageStopsTheWalkAtTheTrustedHopThatHandedItOver(String header) {
    assertThat(behindProxies.resolve(PROXY, List.of(header))).isEqualTo(PROXY);
  }

  @Test
  void garbageLeftOfTheClientDoesNotMatter() {
    assertThat(behindProxies.resolve(PROXY, List.of("not-an-ip, " + CLIENT))).isEqualTo(CLIENT);
  }

  @Test
  void aHugeHeaderIsHandled() {
    String header = "10.0.0.5, ".repeat(5_000) + CLIENT;
    String junk = "x".repeat(1_000_000);

    assertThat(behindProxies.resolve(PROXY, List.of(header))).isEqualTo(CLIENT);
    assertThat(behindProxies.resolve(PROXY, List.of(junk))).isEqualTo(PROXY);
    assertThat(behindProxies.resolve(CLIENT, List.of(junk))).isEqualTo(CLIENT);
  }

  @Test
  void aPeerThatIsNotAnAddressIsReturnedAsItIs() {
    assertThat(behindProxies.resolve("unix:/run/gateway.sock", List.of(CLIENT)))
        .isEqualTo("unix:/run/gateway.sock");
  }

  @Test
  void peersAreCanonicalised() {
    assertThat(behindProxies.resolve("0:0:0:0:0:0:0:1", List.of())).isEqualTo("::1");
    assertThat(behindProxies.resolve("[::1]:8080", List.of())).isEqualTo("::1");
  }

  @Test
  void cidrMatchingHonoursPrefixBoundaries() {
    ClientAddressResolver resolver =
        new ClientAddressResolver(List.of("172.16.0.0/12", "2001:db8::/127", "100.64.0.0/10"));

    assertThat(resolver.resolve("172.31.255.255", List.of(CLIENT))).isEqualTo(CLIENT);
    assertThat(resolver.resolve("172.32.0.0", List.of(CLIENT))).isEqualTo("172.32.0.0");
    assertThat(resolver.resolve("172.15.255.255", List.of(CLIENT))).isEqualTo("172.15.255.255");
    assertThat(resolver.resolve("100.127.0.1", List.of(CLIENT))).isEqualTo(CLIENT);
    assertThat(resolver.resolve("100.128.0.1", List.of(CLIENT))).isEqualTo("100.128.0.1");
    assertThat(resolver.resolve("2001:db8::1", List.of(CLIENT))).isEqualTo(CLIENT);
    assertThat(resolver.resolve("2001:db8::2", List.of(CLIENT))).isEqualTo("2001:db8::2");
  }

  @Test
  void ipv4RangesNeverMatchIpv6Addresses() {
    ClientAddressResolver resolver = new ClientAddressResolver(List.of("0.0.0.0/1"));

    assertThat(resolver.resolve("::1", List.of(CLIENT))).isEqualTo("::1");
    assertThat(resolver.resolve("::a00:1", List.of(CLIENT))).isEqualTo("::a00:1");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "proxy.internal",
        "10.0.0.0/33",
        "10.0.0.0/0",
        "::/0",
        "10.0.0.0/-1",
        "10.0.0.0/",
        "10.0.0.0/8/8",
        "10.0.0.1/8",
        "2001:db8::1/64",
      })
  void refusesInvalidTrustedProxies(String entry) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ClientAddressResolver(List.of(entry)));
  }

  @Test
  void theHostBitsMessageSuggestsBothReadings() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new ClientAddressResolver(List.of("10.0.0.1/8")))
        .withMessageContaining("10.0.0.0/8")
        .withMessageContaining("10.0.0.1 for the one address");
  }
}
