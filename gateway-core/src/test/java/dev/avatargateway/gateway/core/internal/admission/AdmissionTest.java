package dev.avatargateway.gateway.core.internal.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The admission decision on its own, with a hand-set clock and heap reading. */
class AdmissionTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final AtomicReference<HeapReading.Reading> heap = new AtomicReference<>();
  private final List<Admission.Reason> refused = new CopyOnWriteArrayList<>();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger overloadLogger = (Logger) LoggerFactory.getLogger(OverloadLog.class);

  @BeforeEach
  void captureLog() {
    log.start();
    overloadLogger.addAppender(log);
  }

  @AfterEach
  void releaseLog() {
    overloadLogger.detachAppender(log);
  }

  private Admission admission(int maxInFlight, double maxHeapUsed) {
    return new Admission(maxInFlight, maxHeapUsed, heap::get, nanos::get, refused::add);
  }

  @Test
  void refusesBeyondTheCapAndAdmitsAgainOnceAPlaceIsFree() {
    Admission admission = admission(2, 0.85);
    Admission.Ticket first = admission.admit();
    Admission.Ticket second = admission.admit();

    GatewayException e = catchThrowableOfType(GatewayException.class, admission::admit);

    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(e.code().status()).isEqualTo(503);
    assertThat(e.retryAfter()).contains(Admission.RETRY_AFTER);
    assertThat(e.getMessage()).isEqualTo(Admission.MESSAGE);
    assertThat(refused).containsExactly(Admission.Reason.CONNECTS_IN_FLIGHT);
    assertThat(admission.inFlight()).isEqualTo(2);

    first.close();
    first.close(); // twice frees one place, not two
    assertThat(admission.inFlight()).isEqualTo(1);
    Admission.Ticket third = admission.admit();
    assertThat(catchThrowableOfType(GatewayException.class, admission::admit).code())
        .isEqualTo(ErrorCode.OVERLOADED);
    second.close();
    third.close();
    assertThat(admission.inFlight()).isZero();
  }

  @Test
  void zeroMeansNoCap() {
    Admission admission = admission(0, 1.0);

    for (int i = 0; i < 10_000; i++) {
      admission.admit();
    }

    assertThat(admission.inFlight()).isEqualTo(10_000);
    assertThat(refused).isEmpty();
  }

  @Test
  void refusesWhileTheHeapIsTooFullAfterTheLatestCollection() {
    Admission admission = admission(100, 0.85);
    heap.set(new HeapReading.Reading(0.9, nanos.get()));

    GatewayException e = catchThrowableOfType(GatewayException.class, admission::admit);

    assertThat(e.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(refused).containsExactly(Admission.Reason.HEAP);
    assertThat(admission.inFlight()).isZero();

    heap.set(new HeapReading.Reading(0.85, nanos.get())); // at the threshold is not above it
    admission.admit().close();
    heap.set(new HeapReading.Reading(0.3, nanos.get()));
    admission.admit().close();
  }

  @Test
  void aStaleHeapReadingDoesNotRefuse() {
    Admission admission = admission(100, 0.85);
    heap.set(new HeapReading.Reading(0.95, nanos.get()));
    assertThat(catchThrowableOfType(GatewayException.class, admission::admit)).isNotNull();

    // No collection for longer than the reading is trusted: nothing is being allocated.
    nanos.addAndGet(Admission.HEAP_READING_MAX_AGE.toNanos());

    admission.admit().close();
    assertThat(refused).containsExactly(Admission.Reason.HEAP);
  }

  @Test
  void noReadingNeverRefusesAndAThresholdOfZeroRefusesAnyReading() {
    Admission admission = admission(100, 0.0);
    admission.admit().close();

    heap.set(new HeapReading.Reading(0.01, nanos.get()));

    assertThat(catchThrowableOfType(GatewayException.class, admission::admit).code())
        .isEqualTo(ErrorCode.OVERLOADED);
  }

  @Test
  void aRefusalCarriesNoStackTrace() {
    Admission admission = admission(1, 1.0);
    admission.admit();

    GatewayException e = catchThrowableOfType(GatewayException.class, admission::admit);

    assertThat(e.getStackTrace()).isEmpty();
    assertThat(e.getCause()).isNull();
  }

  @Test
  void aFailingCounterDoesNotStopTheRefusal() {
    Admission admission =
        new Admission(
            1,
            1.0,
            HeapReading.NONE,
            nanos::get,
            reason -> {
              throw new IllegalStateException("metrics broke");
            });
    admission.admit();

    assertThat(catchThrowableOfType(GatewayException.class, admission::admit).code())
        .isEqualTo(ErrorCode.OVERLOADED);
  }

  @Test
  void theWarningIsRateLimitedAndCountsEveryRefusal() {
    Admission admission = admission(1, 0.85);
    admission.admit();

    for (int i = 0; i < 50; i++) {
      assertRefused(admission);
    }
    assertThat(log.list).hasSize(1);
    assertThat(log.list.getFirst().getFormattedMessage())
        .startsWith("Overloaded: refused 1 new connects")
        .contains("1 at the cap of 1 connects in flight, 0 with the heap too full (unknown in use");

    nanos.addAndGet(OverloadLog.INTERVAL.toNanos() - 1);
    assertRefused(admission);
    assertThat(log.list).hasSize(1);

    nanos.addAndGet(1);
    heap.set(new HeapReading.Reading(0.97, nanos.get()));
    assertRefused(admission);

    assertThat(log.list).hasSize(2);
    assertThat(log.list.get(1).getFormattedMessage())
        .startsWith("Overloaded: refused 51 new connects")
        .contains("50 at the cap")
        .contains(
            "1 with the heap too full (97% in use after the latest collection, the limit"
                + " is 85%)");
    assertThat(refused).hasSize(52);
  }

  @Test
  void theEndOfAnOverloadIsReportedAtTheNextAdmissionOnceTheLineIsDue() {
    Admission admission = admission(1, 0.85);
    Admission.Ticket only = admission.admit();
    assertRefused(admission); // logged at once
    assertRefused(admission);
    assertRefused(admission);
    only.close();

    admission.admit().close(); // within the interval: nothing yet
    assertThat(log.list).hasSize(1);
    nanos.addAndGet(OverloadLog.INTERVAL.toNanos());
    admission.admit().close();
    admission.admit().close(); // nothing left to report

    assertThat(log.list).hasSize(2);
    assertThat(log.list.get(1).getFormattedMessage())
        .startsWith("Overloaded: refused 2 new connects since the last such line: 2 at the cap")
        .contains("1 in flight now, admitting again.");
    nanos.addAndGet(OverloadLog.INTERVAL.toNanos());
    admission.admit().close();
    assertThat(log.list).hasSize(2);
  }

  private static void assertRefused(Admission admission) {
    assertThat(catchThrowableOfType(GatewayException.class, admission::admit).code())
        .isEqualTo(ErrorCode.OVERLOADED);
  }
}
