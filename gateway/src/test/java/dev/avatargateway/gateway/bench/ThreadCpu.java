package dev.avatargateway.gateway.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CPU time of a process's threads by kind (JIT compiler, GC, virtual-thread carriers, HTTP
 * client...), read from Linux's {@code /proc/<pid>/task/<tid>/stat}: it tells where the gateway's
 * CPU goes without a profiler in the process. Empty where there is no {@code /proc}.
 *
 * @param ticksByGroup clock ticks (user + system) per kind of thread ({@link #group(String)})
 */
record ThreadCpu(Map<String, Long> ticksByGroup) {
  /**
   * The group of the JIT compiler threads, a one-time cost that a long-running gateway pays early.
   */
  static final String JIT = "JIT compiler";

  /** Linux's USER_HZ on every mainstream architecture: ticks are 10 ms. */
  private static final long MILLIS_PER_TICK = 10;

  // Fields of /proc/<pid>/task/<tid>/stat after "(comm) ", 0-based: state is 0 (proc(5)).
  private static final int UTIME_FIELD = 11;
  private static final int STIME_FIELD = 12;

  static ThreadCpu snapshot(long pid) {
    Map<String, Long> ticks = new HashMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
      for (Path thread : threads) {
        String stat;
        try {
          stat = Files.readString(thread.resolve("stat"));
        } catch (IOException e) {
          continue; // The thread ended meanwhile.
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] fields = stat.substring(close + 2).split(" ", -1);
        long used = Long.parseLong(fields[UTIME_FIELD]) + Long.parseLong(fields[STIME_FIELD]);
        ticks.merge(group(stat.substring(open + 1, close)), used, Long::sum);
      }
    } catch (IOException e) {
      return new ThreadCpu(Map.of());
    }
    return new ThreadCpu(Map.copyOf(ticks));
  }

  /**
   * The kind of a thread from its Linux name, which is cut to 15 characters ({@code "C2
   * CompilerThre"}, {@code "ForkJoinPool-1-"} for every {@code ForkJoinPool-1-worker-N}).
   */
  static String group(String linuxName) {
    if (linuxName.contains("CompilerThre")) {
      return JIT;
    }
    if (linuxName.startsWith("GC Thread")
        || linuxName.startsWith("G1 ")
        || linuxName.equals("VM Thread")) {
      return "GC and VM";
    }
    if (linuxName.startsWith("ForkJoinPool-")) {
      // The virtual-thread scheduler's carriers: Jetty's request handling and the connect flow.
      return "virtual-thread carriers";
    }
    if (linuxName.startsWith("HttpClient-") && linuxName.contains("-Wo")) {
      return "HttpClient workers";
    }
    if (linuxName.startsWith("HttpClient-") && linuxName.contains("-Se")) {
      return "HttpClient selector";
    }
    return linuxName.replaceAll("\\d", "");
  }

  /**
   * Milliseconds each group used since {@code earlier}, biggest first; threads that ended meanwhile
   * are missing (the process total still has them).
   */
  Map<String, Long> millisSince(ThreadCpu earlier) {
    Map<String, Long> delta = new HashMap<>();
    ticksByGroup.forEach(
        (group, ticks) -> {
          long used = ticks - earlier.ticksByGroup.getOrDefault(group, 0L);
          if (used > 0) {
            delta.put(group, used * MILLIS_PER_TICK);
          }
        });
    return delta.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .collect(
            Collectors.toMap(
                Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
  }
}
