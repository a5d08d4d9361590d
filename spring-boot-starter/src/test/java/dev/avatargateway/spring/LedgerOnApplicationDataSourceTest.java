package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.avatargateway.gateway.core.GatewayCore;
import dev.avatargateway.spring.app.TestApplication;
import dev.avatargateway.spring.test.AutoConfigureRunwaySimulator;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The ledger on the application's own {@link DataSource}, a real PostgreSQL: the core migrates its
 * schema there and a Spring Security user's session is counted in it. The schema is the test's own,
 * dropped when the context closes (after the core, which depends on the pool). Without PostgreSQL
 * at {@value #DEFAULT_URL} the test is skipped, saying so; with {@code CI=true} it fails.
 */
@SpringBootTest(
    classes = {TestApplication.class, LedgerOnApplicationDataSourceTest.PostgresPool.class},
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "avatar-gateway.budgets.per-principal.minutes-per-day=600",
      "avatar-gateway.avatars.default-avatar=cat-character"
    })
@AutoConfigureRunwaySimulator
@DirtiesContext
class LedgerOnApplicationDataSourceTest {
  static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  /** This run's schema, unique so that concurrent runs do not meet. */
  static final String SCHEMA = "starter_" + UUID.randomUUID().toString().replace("-", "");

  @DynamicPropertySource
  static void ledgerSchema(DynamicPropertyRegistry properties) {
    properties.add("avatar-gateway.ledger.schema", () -> SCHEMA);
  }

  /** A local server answers in milliseconds; a missing one should not hold the build up. */
  private static final int PROBE_TIMEOUT_SECONDS = 3;

  @LocalServerPort int port;
  @Autowired GatewayCore core;
  @Autowired DataSource dataSource;

  static String url() {
    return Objects.requireNonNullElse(System.getenv("LEDGER_TEST_POSTGRES_URL"), DEFAULT_URL);
  }

  static String user() {
    return Objects.requireNonNullElse(System.getenv("LEDGER_TEST_POSTGRES_USER"), "postgres");
  }

  @BeforeAll
  static void postgresAnswers() {
    DriverManager.setLoginTimeout(PROBE_TIMEOUT_SECONDS);
    try (Connection probe =
        DriverManager.getConnection(
            url(), user(), System.getenv("LEDGER_TEST_POSTGRES_PASSWORD"))) {
      assertThat(probe.isValid(PROBE_TIMEOUT_SECONDS)).isTrue();
    } catch (SQLException e) {
      String howTo =
          "PostgreSQL is not reachable at "
              + url()
              + " ("
              + e.getMessage()
              + "); start it, or set LEDGER_TEST_POSTGRES_URL/_USER/_PASSWORD";
      if ("true".equals(System.getenv("CI"))) {
        fail(howTo);
      }
      Assumptions.abort(howTo);
    }
  }

  /** The application's pool: HikariCP on PostgreSQL; closing it drops the test's schema. */
  @TestConfiguration(proxyBeanMethods = false)
  static class PostgresPool {
    @Bean(destroyMethod = "close")
    DroppingDataSource dataSource() {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url());
      config.setUsername(user());
      config.setPassword(System.getenv("LEDGER_TEST_POSTGRES_PASSWORD"));
      config.setMaximumPoolSize(4);
      return new DroppingDataSource(config);
    }
  }

  /** Drops the test's schema before it closes. */
  static final class DroppingDataSource extends HikariDataSource {
    DroppingDataSource(HikariConfig config) {
      super(config);
    }

    @Override
    public void close() {
      try (Connection connection = getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
      } catch (SQLException e) {
        throw new IllegalStateException("Could not drop the test schema " + SCHEMA, e);
      } finally {
        super.close();
      }
    }
  }

  @Test
  void theLedgerIsMigratedOnTheApplicationsPoolAndCountsTheSpringUser() throws Exception {
    HttpResponse<String> response =
        new Http(port)
            .post(
                AvatarPaths.CONNECT,
                null,
                "",
                "Authorization",
                Http.basic(TestApplication.USER, TestApplication.PASSWORD));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(core.usage(TestApplication.USER).sessions()).isEqualTo(1);
    assertThat(sessionRowsOf(TestApplication.USER)).isEqualTo(1);
  }

  private long sessionRowsOf(String principal) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT count(*) FROM " + SCHEMA + ".ledger_sessions WHERE principal_name = ?")) {
      query.setString(1, principal);
      try (ResultSet rows = query.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}
