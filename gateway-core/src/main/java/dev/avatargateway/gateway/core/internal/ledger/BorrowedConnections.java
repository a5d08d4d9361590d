package dev.avatargateway.gateway.core.internal.ledger;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The ledger's view of a {@link DataSource} the application owns: each connection it lends is set
 * up as the ledger's own pool sets its connections up (not in auto-commit mode, read committed, in
 * the ledger's schema when one is configured), and put back as it came before it returns to the
 * application's pool, so the application's other users never get a connection the ledger changed.
 * Nothing is changed that already is as the ledger needs it: with the pool's usual defaults
 * (auto-commit, read committed, no {@code ledger.schema}) a loan costs no extra statement.
 */
final class BorrowedConnections implements DataSource {
  private final DataSource owner;
  private final String schema; // null: the connection's default schema
  private final boolean setIsolation;
  private volatile boolean closed;

  /**
   * @param schema the schema to work in, or null for the connection's own
   * @param setIsolation whether the owner's connections are not read committed by default
   */
  BorrowedConnections(DataSource owner, String schema, boolean setIsolation) {
    this.owner = owner;
    this.schema = schema;
    this.setIsolation = setIsolation;
  }

  /** Lends no more connections; the owner's stay open. */
  void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (closed) {
      throw new SQLException("The session ledger is closed");
    }
    Connection c = owner.getConnection();
    try {
      return lend(c);
    } catch (SQLException | RuntimeException e) {
      try {
        c.close();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private Connection lend(Connection c) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit && (schema != null || setIsolation)) {
      // The settings below are session settings; made inside a transaction, PostgreSQL would undo
      // them with the ledger's first rollback (a refused budget check, a failed statement). A
      // connection just taken from a pool holds no work to lose.
      c.rollback();
      c.setAutoCommit(true);
    }
    String originalSchema = null;
    if (schema != null) {
      originalSchema = c.getSchema();
      c.setSchema(schema);
    }
    int originalIsolation = Connection.TRANSACTION_NONE;
    if (setIsolation) {
      originalIsolation = c.getTransactionIsolation();
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
    }
    c.setAutoCommit(false);
    Restore restore = new Restore(c, autoCommit, originalSchema, originalIsolation);
    return (Connection)
        Proxy.newProxyInstance(
            BorrowedConnections.class.getClassLoader(), new Class<?>[] {Connection.class}, restore);
  }

  /** Puts a lent connection back as it came when the ledger closes it. */
  private static final class Restore implements InvocationHandler {
    private final Connection c;
    private final boolean autoCommit;
    private final String schema; // null: not changed
    private final int isolation; // TRANSACTION_NONE: not changed
    private boolean returned;

    Restore(Connection c, boolean autoCommit, String schema, int isolation) {
      this.c = c;
      this.autoCommit = autoCommit;
      this.schema = schema;
      this.isolation = isolation;
    }

    // A loan is equal to itself only, as the connection it stands for is.
    @SuppressWarnings("ReferenceEquality")
    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close" -> {
          giveBack();
          return null;
        }
        case "isClosed" -> {
          if (returned) {
            return true;
          }
        }
        case "equals" -> {
          return proxy == args[0];
        }
        case "hashCode" -> {
          return System.identityHashCode(proxy);
        }
        case "toString" -> {
          return "ledger loan of " + c;
        }
        default -> {}
      }
      if (returned) {
        throw new SQLException("The ledger's connection was closed");
      }
      try {
        return method.invoke(c, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }

    private void giveBack() throws SQLException {
      if (returned) {
        return;
      }
      returned = true;
      try {
        if (!c.isClosed()) {
          // Whatever the ledger did not commit is not to be committed by the next borrower.
          c.rollback();
          c.setAutoCommit(true);
          if (schema != null) {
            c.setSchema(schema);
          }
          if (isolation != Connection.TRANSACTION_NONE) {
            c.setTransactionIsolation(isolation);
          }
          c.setAutoCommit(autoCommit);
        }
      } finally {
        c.close();
      }
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the ledger borrows with the owner's credentials");
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return owner.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    owner.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    owner.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return owner.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return owner.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    if (type.isInstance(this)) {
      return type.cast(this);
    }
    return owner.unwrap(type);
  }

  @Override
  public boolean isWrapperFor(Class<?> type) throws SQLException {
    return type.isInstance(this) || owner.isWrapperFor(type);
  }
}
