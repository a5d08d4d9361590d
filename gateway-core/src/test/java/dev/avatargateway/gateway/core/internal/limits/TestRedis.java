package dev.avatargateway.gateway.core.internal.limits;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Redis the shared-limit tests use, at 127.0.0.1:6379. Without it they are skipped, saying
 * how to run them; with {@code CI=true} they fail instead.
 */
public final class TestRedis {
  public static final String URL = "redis://127.0.0.1:6379";

  /** A port nothing listens on (tcpmux, never served): connecting is refused at once. */
  public static final String UNREACHABLE_URL = "redis://127.0.0.1:1";

  /** How long the probe waits: a local Redis answers in well under a millisecond. */
  private static final int PROBE_TIMEOUT_MILLIS = 500;

  private TestRedis() {}

  /** Returns when Redis answers; otherwise skips the calling test, or fails it with CI=true. */
  public static void assumeRedis() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", 6379), PROBE_TIMEOUT_MILLIS);
      return;
    } catch (IOException e) {
      String message =
          "Redis is needed at 127.0.0.1:6379 for this test ("
              + e.getMessage()
              + "). Start it with e.g. docker run --rm -p 6379:6379 redis:7 (or apt-get install"
              + " redis-server), then run mvn -B -pl gateway-core -am test"
              + " -Dtest='RedisBucketsTest' -Dsurefire.failIfNoSpecifiedTests=false. With CI=true"
              + " it fails instead of being skipped.";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail(message);
      }
      System.err.println("WARNING: skipped: " + message);
      Assumptions.abort(message);
    }
  }

  /** A key prefix of this run only, so that runs never share buckets. */
  public static String uniquePrefix() {
    return "avatar-gateway-test:" + UUID.randomUUID() + ":";
  }

  /** The keys under {@code prefix} with their time to live in milliseconds (-1: none). */
  public static List<Long> ttlsUnder(String prefix) {
    return withRedis(
        redis -> {
          List<Long> ttls = new ArrayList<>();
          for (String key : keys(redis, prefix)) {
            ttls.add(redis.pttl(key));
          }
          return ttls;
        });
  }

  /** Deletes every key under {@code prefix}. */
  public static void deleteUnder(String prefix) {
    withRedis(
        redis -> {
          List<String> keys = keys(redis, prefix);
          if (!keys.isEmpty()) {
            redis.del(keys.toArray(String[]::new));
          }
          return null;
        });
  }

  private static List<String> keys(RedisCommands<String, String> redis, String prefix) {
    List<String> keys = new ArrayList<>();
    ScanIterator.scan(redis, ScanArgs.Builder.matches(prefix + "*")).forEachRemaining(keys::add);
    return keys;
  }

  /** The keys under {@code prefix}. */
  public static List<String> keysUnder(String prefix) {
    return withRedis(redis -> keys(redis, prefix));
  }

  /** Redis's clock now, in milliseconds (what lease scores count in). */
  public static long serverMillis() {
    return withRedis(
        redis -> {
          List<String> time = redis.time();
          return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
        });
  }

  /** Runs {@code f} on a connection of its own to the test Redis. */
  public static <T> T withRedis(java.util.function.Function<RedisCommands<String, String>, T> f) {
    RedisClient client = RedisClient.create(URL);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return f.apply(connection.sync());
    } finally {
      client.shutdown();
    }
  }
}
