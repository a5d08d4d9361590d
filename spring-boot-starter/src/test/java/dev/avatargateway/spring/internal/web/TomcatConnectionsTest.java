package dev.avatargateway.spring.internal.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * The Tomcat internals {@link TomcatConnections} reaches are where it expects them, in the Tomcat
 * this starter is built with: this fails when an upgrade moves one of them (the end-to-end proof
 * that they work is {@code ClientLeavesTest}).
 */
class TomcatConnectionsTest {
  @Test
  void everyMemberResolvesInThisTomcat() throws Exception {
    TomcatConnections tomcat = TomcatConnections.resolve(getClass().getClassLoader());

    assertThat(tomcat).isNotNull();
  }

  @Test
  void aRequestThatIsNotTomcatsHasNoConnection() throws Exception {
    TomcatConnections tomcat = TomcatConnections.resolve(getClass().getClassLoader());

    assertThat(tomcat.connectionOf(new MockHttpServletRequest(), false)).isEmpty();
  }

  @Test
  void withoutTomcatNothingResolves() {
    ClassLoader withoutTomcat = ClassLoader.getPlatformClassLoader();

    org.assertj.core.api.Assertions.assertThatExceptionOfType(ReflectiveOperationException.class)
        .isThrownBy(() -> TomcatConnections.resolve(withoutTomcat));
  }
}
