package dev.avatargateway.gateway.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressesTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "0.0.0.0 | 0.0.0.0",
        "192.0.2.1 | 192.0.2.1",
        "255.255.255.255 | 255.255.255.255",
        ":: | ::",
        "::1 | ::1",
        "1:: | 1::",
        "2001:DB8:0:0:0:0:0:42 | 2001:db8::42",
        "2001:0db8:0000:0000:0000:ff00:0042:8329 | 2001:db8::ff00:42:8329",
        // RFC 5952 §4.2.3: of two equal runs the first is shortened; §4.2.2: one zero group is not
        "2001:db8:0:0:1:0:0:1 | 2001:db8::1:0:0:1",
        "2001:0:0:1:0:0:0:1 | 2001:0:0:1::1",
        "2001:db8:0:1:1:1:1:1 | 2001:db8:0:1:1:1:1:1",
        "1:2:3:4:5:6:7:8 | 1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:: | 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8 | 0:2:3:4:5:6:7:8",
        "fe80::1%eth0 | fe80::1",
        "::ffff:192.0.2.1 | 192.0.2.1",
        "::FFFF:c000:0201 | 192.0.2.1",
        "64:ff9b::192.0.2.33 | 64:ff9b::c000:221",
        "1:2:3:4:5:6:192.0.2.1 | 1:2:3:4:5:6:c000:201",
      })
  void parsesLiteralsAndFormatsThemCanonically(String literal, String canonical) {
    byte[] address = IpAddresses.parse(literal);

    assertThat(address).isNotNull();
    assertThat(IpAddresses.format(address)).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "01.2.3.4", // leading zeros: octal to some parsers, so refused
        "1.2.3.-4",
        "+1.2.3.4",
        "1..2.3",
        "1.2.3.4.",
        "a.b.c.d",
        "localhost",
        "evil.example.com",
        "unknown",
        "_hidden",
        ":",
        ":::",
        "::1::2",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::",
        "1:2:3:4:5:6:7",
        "12345::1",
        "g::1",
        ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:",
        "::1.2.3",
        "::1.2.3.4:5",
        "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4",
        "fe80::1%",
        "\u0663::1", // ARABIC-INDIC DIGIT THREE: Character.digit would take it
        "\uff11.2.3.4", // FULLWIDTH DIGIT ONE
      })
  void refusesEverythingElse(String text) {
    assertThat(IpAddresses.parse(text)).isNull();
  }

  @Test
  void refusesOverlongInputWithoutScanningIt() {
    assertThat(IpAddresses.parse("1".repeat(100_000))).isNull();
    assertThat(IpAddresses.parseHost("[" + ":".repeat(100_000) + "]")).isNull();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "192.0.2.1 | 192.0.2.1",
        " 192.0.2.1\t | 192.0.2.1",
        "192.0.2.1:4711 | 192.0.2.1",
        "[2001:db8::1] | 2001:db8::1",
        "[2001:db8::1]:443 | 2001:db8::1",
        "2001:db8::1 | 2001:db8::1",
        "[::ffff:10.0.0.1]:80 | 10.0.0.1",
      })
  void parsesHostsWithBracketsAndPorts(String element, String canonical) {
    assertThat(IpAddresses.format(IpAddresses.parseHost(element))).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[1.2.3.4]",
        "[::1",
        "[::1]x",
        "[::1]:",
        "[::1]:99999",
        "1.2.3.4:",
        "1.2.3.4:65536",
        "1.2.3.4:http",
        "host:80",
      })
  void refusesMalformedHosts(String element) {
    assertThat(IpAddresses.parseHost(element)).isNull();
  }

  @Test
  void agreesWithTheJdkOnRandomAddresses() throws Exception {
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      byte[] bytes = new byte[i % 2 == 0 ? 4 : 16];
      random.nextBytes(bytes);
      if (bytes.length == 16 && i % 3 == 0) {
        // Runs of zero groups, so that "::" appears in every position.
        for (int g = random.nextInt(8), n = random.nextInt(8 - g); n > 0; n--, g++) {
          bytes[2 * g] = 0;
          bytes[2 * g + 1] = 0;
        }
      }
      String formatted = IpAddresses.format(bytes);
      // getByAddress never resolves; getByName of a literal does not either.
      InetAddress jdk = InetAddress.getByAddress(bytes);

      assertThat(InetAddress.getByName(formatted)).isEqualTo(jdk);
      assertThat(IpAddresses.parse(jdk.getHostAddress())).isEqualTo(jdk.getAddress());
    }
  }

  @Test
  void masksToAPrefix() {
    byte[] address = IpAddresses.parse("2001:db8:1:2:3:4:5:6");

    assertThat(IpAddresses.format(IpAddresses.mask(address, 64))).isEqualTo("2001:db8:1:2::");
    assertThat(IpAddresses.format(IpAddresses.mask(address, 36))).isEqualTo("2001:db8::");
    assertThat(IpAddresses.format(IpAddresses.mask(address, 128)))
        .isEqualTo("2001:db8:1:2:3:4:5:6");
    assertThat(IpAddresses.format(IpAddresses.mask(IpAddresses.parse("10.1.2.3"), 12)))
        .isEqualTo("10.0.0.0");
  }
}
