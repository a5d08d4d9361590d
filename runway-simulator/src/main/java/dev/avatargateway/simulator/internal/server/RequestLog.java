package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.RecordedRequest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/** The most recent requests, oldest first. */
final class RequestLog {
  /** Enough for any test or benchmark report, small enough to stay a few MB at most. */
  static final int CAPACITY = 10_000;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<RecordedRequest> entries = new ArrayDeque<>();

  void add(RecordedRequest request) {
    lock.lock();
    try {
      if (entries.size() == CAPACITY) {
        entries.removeFirst();
      }
      entries.addLast(request);
    } finally {
      lock.unlock();
    }
  }

  List<RecordedRequest> snapshot() {
    lock.lock();
    try {
      return List.copyOf(entries);
    } finally {
      lock.unlock();
    }
  }

  void clear() {
    lock.lock();
    try {
      entries.clear();
    } finally {
      lock.unlock();
    }
  }
}
