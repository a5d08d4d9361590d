package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What Linux's {@code /proc} tells about another process without touching it: its platform threads,
 * open files, CPU time and TCP sockets by state. Every reading is empty (or -1) once the process is
 * gone.
 */
final class ProcFs {
  /** {@code /proc/net/tcp} states (include/net/tcp_states.h). */
  static final int ESTABLISHED = 0x01;

  static final int TIME_WAIT = 0x06;
  static final int CLOSE_WAIT = 0x08;
  static final int LISTEN = 0x0A;

  /** Linux's USER_HZ on every mainstream architecture: ticks are 10 ms. */
  private static final long MILLIS_PER_TICK = 10;

  // Fields of /proc/<pid>/stat after "(comm) ", 0-based: state is 0 (proc(5)).
  private static final int UTIME_FIELD = 11;
  private static final int STIME_FIELD = 12;

  private static final String SOCKET_PREFIX = "socket:[";

  private ProcFs() {}

  /** Platform threads of the process ({@code Threads:} of {@code /proc/<pid>/status}). */
  static OptionalInt threads(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("Threads:")) {
          return OptionalInt.of(Integer.parseInt(line.substring("Threads:".length()).trim()));
        }
      }
    } catch (IOException e) {
      // Gone.
    }
    return OptionalInt.empty();
  }

  /** Open file descriptors of the process (sockets included). */
  static OptionalInt openFiles(long pid) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir(pid))) {
      int n = 0;
      for (Path ignored : fds) {
        n++;
      }
      return OptionalInt.of(n);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
  }

  /** CPU time (user + system) of the whole process, in 10 ms ticks. */
  static Optional<Duration> cpu(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
      long ticks = Long.parseLong(fields[UTIME_FIELD]) + Long.parseLong(fields[STIME_FIELD]);
      return Optional.of(Duration.ofMillis(ticks * MILLIS_PER_TICK));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The TCP sockets the process holds open: its {@code /proc/<pid>/fd} entries that are sockets,
   * found by inode in {@code /proc/net/tcp} and {@code tcp6} (Java's sockets are IPv6 sockets
   * carrying IPv4-mapped addresses). A socket the process has closed is no longer its own: a
   * TIME-WAIT socket, for instance, belongs to no process.
   */
  static List<TcpSocket> tcpSockets(long pid) {
    Set<Long> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir(pid))) {
      for (Path fd : fds) {
        String target;
        try {
          target = Files.readSymbolicLink(fd).toString();
        } catch (IOException e) {
          continue; // Closed meanwhile.
        }
        if (target.startsWith(SOCKET_PREFIX)) {
          inodes.add(Long.parseLong(target.substring(SOCKET_PREFIX.length(), target.length() - 1)));
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    // Keyed by inode: the kernel writes these tables while they change, and a socket can then be
    // listed twice in one read.
    Map<Long, TcpSocket> sockets = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (TcpSocket socket : table(Path.of(table))) {
        if (inodes.contains(socket.inode())) {
          sockets.put(socket.inode(), socket);
        }
      }
    }
    return new ArrayList<>(sockets.values());
  }

  static long count(List<TcpSocket> sockets, Predicate<TcpSocket> which) {
    return sockets.stream().filter(which).count();
  }

  private static List<TcpSocket> table(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
    List<TcpSocket> sockets = new ArrayList<>(lines.size());
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode"
    for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
      String[] f = line.trim().split("\\s+", -1);
      if (f.length < 10) {
        continue;
      }
      sockets.add(
          new TcpSocket(port(f[1]), port(f[2]), Integer.parseInt(f[3], 16), Long.parseLong(f[9])));
    }
    return sockets;
  }

  private static int port(String addressAndPort) {
    return Integer.parseInt(addressAndPort.substring(addressAndPort.indexOf(':') + 1), 16);
  }

  private static Path fdDir(long pid) {
    return Path.of("/proc", Long.toString(pid), "fd");
  }

  /**
   * One TCP socket.
   *
   * @param localPort its local port
   * @param remotePort the peer's port (0 for a listening socket)
   * @param state the kernel's state, e.g. {@link #ESTABLISHED}
   * @param inode the socket's inode, which ties it to the file descriptors of a process
   */
  record TcpSocket(int localPort, int remotePort, int state, long inode) {}
}
