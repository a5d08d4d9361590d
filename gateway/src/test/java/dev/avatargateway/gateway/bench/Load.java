package dev.avatargateway.gateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The two shapes of load: so many at a time, or all released at once. Virtual threads. */
final class Load {
  private Load() {}

  /** One unit of load, e.g. one connect and what the simulator recorded for it. */
  @FunctionalInterface
  interface Task<T> {
    T run() throws Exception;
  }

  /** Runs {@code task} {@code count} times, at most {@code concurrency} at once. */
  static <T> List<T> atConcurrency(Task<T> task, int count, int concurrency)
      throws InterruptedException, ExecutionException {
    AtomicInteger next = new AtomicInteger();
    List<Future<List<T>>> workers = new ArrayList<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < Math.min(concurrency, count); w++) {
        workers.add(
            threads.submit(
                () -> {
                  List<T> mine = new ArrayList<>();
                  while (next.getAndIncrement() < count) {
                    mine.add(task.run());
                  }
                  return mine;
                }));
      }
      List<T> all = new ArrayList<>(count);
      for (Future<List<T>> worker : workers) {
        all.addAll(worker.get());
      }
      return all;
    }
  }

  /**
   * Starts {@code count} virtual threads, waits until every one is ready, then releases them all at
   * once.
   */
  static <T> List<T> burst(Task<T> task, int count)
      throws InterruptedException, ExecutionException {
    CountDownLatch ready = new CountDownLatch(count);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<T>> callers = new ArrayList<>(count);
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < count; i++) {
        callers.add(
            threads.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return task.run();
                }));
      }
      ready.await();
      go.countDown();
      List<T> all = new ArrayList<>(count);
      for (Future<T> caller : callers) {
        all.add(caller.get());
      }
      return all;
    }
  }
}
