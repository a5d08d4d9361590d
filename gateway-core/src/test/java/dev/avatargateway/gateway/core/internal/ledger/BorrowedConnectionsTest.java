package dev.avatargateway.gateway.core.internal.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The ledger's loans from an application's DataSource: set up as the ledger needs, put back as they
 * came, even to a pool that resets nothing, and in the ledger's schema for the whole loan on
 * PostgreSQL even after a rollback.
 */
class BorrowedConnectionsTest {

  @Test
  void aLoanIsSetUpForTheLedgerAndGivenBackAsItCameToAPoolThatResetsNothing() throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:loans-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    h2.setUser("sa");
    try (Connection only = h2.getConnection()) {
      try (Statement s = only.createStatement()) {
        s.execute("CREATE SCHEMA \"books\"");
        s.execute("CREATE TABLE \"books\".entries (n INT)");
      }
      only.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
      BorrowedConnections loans = new BorrowedConnections(poolOfOne(only), "books", true);

      try (Connection loan = loans.getConnection()) {
        assertThat(loan.getAutoCommit()).isFalse();
        assertThat(loan.getSchema()).isEqualTo("books");
        assertThat(loan.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
        try (Statement s = loan.createStatement()) {
          s.execute("INSERT INTO entries VALUES (1)"); // never committed
        }
      }

      assertThat(only.getAutoCommit()).isTrue();
      assertThat(only.getSchema()).isEqualTo("PUBLIC");
      assertThat(only.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_SERIALIZABLE);
      try (Statement s = only.createStatement();
          var rs = s.executeQuery("SELECT count(*) FROM \"books\".entries")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).as("the loan's uncommitted insert").isZero();
      }
      loans.close();
      SQLException closed = catchThrowableOfType(SQLException.class, loans::getConnection);
      assertThat(closed.getMessage()).contains("closed");
      assertThat(only.isClosed()).isFalse();
    }
  }

  @Test
  void onPostgresqlTheSchemaHoldsForTheWholeLoanEvenAfterARollback() throws Exception {
    TestDatabases.assumePostgres(BorrowedConnectionsTest.class);
    try (TestDatabases.PostgresSchema schema = TestDatabases.newPostgresSchema()) {
      schema.execute(
          "CREATE SCHEMA " + schema.name(), "CREATE TABLE " + schema.name() + ".entries (n INT)");
      HikariConfig hikari = new HikariConfig();
      hikari.setJdbcUrl(schema.config().url());
      hikari.setUsername(schema.config().username());
      hikari.setPassword(schema.config().password());
      hikari.setMaximumPoolSize(1);
      // An application whose pool is not in auto-commit mode: a SET made in the loan's first
      // transaction would be undone by its rollback.
      hikari.setAutoCommit(false);
      try (HikariDataSource application = new HikariDataSource(hikari)) {
        BorrowedConnections loans = new BorrowedConnections(application, schema.name(), false);
        try (Connection loan = loans.getConnection()) {
          try (Statement s = loan.createStatement()) {
            s.execute("INSERT INTO entries VALUES (1)");
          }
          loan.rollback();
          try (Statement s = loan.createStatement();
              var rs = s.executeQuery("SELECT count(*) FROM entries")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isZero();
          }
        }
        try (Connection back = application.getConnection()) {
          assertThat(back.getAutoCommit()).isFalse();
          assertThat(back.getSchema()).isEqualTo("public");
        }
      }
    }
  }

  /** A pool of one connection that hands it out again and again and resets nothing. */
  private static DataSource poolOfOne(Connection only) {
    // Its other methods (log writer, login time-out) as an H2 DataSource answers them.
    JdbcDataSource others = new JdbcDataSource();
    return (DataSource)
        Proxy.newProxyInstance(
            BorrowedConnectionsTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection")) {
                return Proxy.newProxyInstance(
                    BorrowedConnectionsTest.class.getClassLoader(),
                    new Class<?>[] {Connection.class},
                    (p, m, a) -> {
                      if (m.getName().equals("close")) {
                        return null; // back to the "pool", as it is
                      }
                      try {
                        return m.invoke(only, a);
                      } catch (InvocationTargetException e) {
                        throw e.getCause();
                      }
                    });
              }
              return method.invoke(others, args);
            });
  }
}
