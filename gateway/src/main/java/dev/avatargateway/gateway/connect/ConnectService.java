package dev.avatargateway.gateway.connect;

import dev.avatargateway.gateway.avatars.AvatarCatalog;
import dev.avatargateway.gateway.avatars.CustomAvatarVerifier;
import dev.avatargateway.gateway.avatars.ResolvedAvatar;
import dev.avatargateway.gateway.errors.GatewayException;
import dev.avatargateway.runway.PollSchedule;
import dev.avatargateway.runway.ReadinessTimeoutException;
import dev.avatargateway.runway.ReadinessWait;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayException;
import dev.avatargateway.runway.SessionCredentials;
import dev.avatargateway.runway.SessionStateException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connect flow of the seed guide, made safe: resolve and allow the avatar, pass the limits,
 * create the upstream session, wait until READY, consume it (or hand out its key), and record each
 * step in the {@link SessionLedger} before the next. Whatever stops the flow after create (the
 * deadline, a FAILED session, a consume error, the browser leaving, shutdown) cancels the upstream
 * session, so nothing paid is left running that nobody will use.
 */
public final class ConnectService {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectService.class);

  /**
   * How long clean-up may take, whatever the connect's deadline: one cancel with one retry
   * (runway-client's own clean-up budget is the same).
   */
  static final Duration CANCEL_BUDGET = Duration.ofSeconds(5);

  private final RealtimeSessions sessions;
  private final AvatarCatalog catalog;
  private final CustomAvatarVerifier verifier;
  private final ConnectConfig config;
  private final ConnectGuards guards;
  private final SessionLedger ledger;
  private final ConnectEvents events;
  private final PollSchedule schedule;
  private final Optional<String> browserBaseUrl;
  private final Clock clock;

  /**
   * @param sessions the upstream realtime-session API
   * @param catalog the allowed avatars and their session templates
   * @param verifier checks custom avatars upstream
   * @param config deadlines and the response mode
   * @param guards rate limits and caps
   * @param ledger records each step
   * @param events metrics
   * @param schedule when to poll for READY
   * @param upstreamBaseUrl the upstream base URL, told to browsers in session-key mode when it is
   *     not Runway's default host (client-contract.md §1.3); empty when it is the default
   * @param clock the time
   */
  public ConnectService(
      RealtimeSessions sessions,
      AvatarCatalog catalog,
      CustomAvatarVerifier verifier,
      ConnectConfig config,
      ConnectGuards guards,
      SessionLedger ledger,
      ConnectEvents events,
      PollSchedule schedule,
      Optional<URI> upstreamBaseUrl,
      Clock clock) {
    this.sessions = sessions;
    this.catalog = catalog;
    this.verifier = verifier;
    this.config = config;
    this.guards = guards;
    this.ledger = ledger;
    this.events = events;
    this.schedule = schedule;
    this.browserBaseUrl = upstreamBaseUrl.map(URI::toString);
    this.clock = clock;
  }

  /**
   * Runs the flow on the calling thread.
   *
   * @param trace filled in as the flow goes, for the summary log line
   * @param handle this connect's entry among the running ones ({@link InFlightConnects#register()},
   *     on the calling thread), through which a disconnect or shutdown stops it
   * @throws GatewayException for every failure, with the answer the browser should get
   */
  public ConnectResult connect(
      ConnectRequest request, ConnectTrace trace, InFlightConnects.Handle handle) {
    try (ConnectTrace.Scope scope = trace.bind()) {
      ResolvedAvatar avatar = catalog.resolve(request.avatarId(), request.customAvatarId());
      trace.avatar(avatar.id(), avatar.type());
      Instant start = clock.instant();
      Instant deadline = start.plus(config.deadline());
      Instant queuedDeadline = start.plus(config.queuedDeadline());
      try (ConnectGuards.Permit admission =
          guards.admit(request.principal(), request.clientAddress())) {
        if (avatar.isCustom()) {
          upstream("avatar", handle, () -> verifier.verify(avatar, deadline));
        }
        try (ConnectGuards.Permit slot = guards.acquireCreateSlot()) {
          handle.deferInterrupts();
          String id;
          try {
            id =
                upstream(
                    "create",
                    handle,
                    () ->
                        sessions.create(
                            catalog.paramsFor(avatar), RequestOptions.deadline(deadline)));
          } finally {
            // A stop that came during create interrupts now, and the wait below ends at once.
            handle.allowInterrupts();
          }
          trace.sessionId(id);
          return prepare(request, avatar, id, start, deadline, queuedDeadline, trace, handle);
        }
      }
    }
  }

  private ConnectResult prepare(
      ConnectRequest request,
      ResolvedAvatar avatar,
      String id,
      Instant start,
      Instant deadline,
      Instant queuedDeadline,
      ConnectTrace trace,
      InFlightConnects.Handle handle) {
    boolean handedOver = false;
    boolean endedUpstream = false;
    String stage = "await";
    String cancelReason = "error";
    try {
      ledger.created(id, request.requestId(), request.principal(), avatar.id(), clock.instant());
      RealtimeSession.Ready ready =
          sessions.awaitReady(
              id,
              new ReadinessWait(
                  deadline,
                  queuedDeadline,
                  schedule,
                  status -> {
                    if (status instanceof RealtimeSession.NotReady n && n.queued()) {
                      trace.queued();
                    }
                  }));
      Duration timeToReady = Duration.between(start, clock.instant());
      trace.timeToReady(timeToReady);
      events.timeToReady(timeToReady);
      ledger.ready(id, clock.instant());
      stage = "consume";
      ConnectResult result =
          switch (config.mode()) {
            case CREDENTIALS -> {
              SessionCredentials credentials =
                  sessions.consume(id, ready.sessionKey(), RequestOptions.deadline(queuedDeadline));
              ledger.consumed(id, clock.instant());
              yield new ConnectResult.Credentials(
                  id, credentials.url(), credentials.token(), credentials.roomName());
            }
            case SESSION_KEY -> {
              ledger.handedOut(id, clock.instant());
              yield new ConnectResult.SessionKey(id, ready.sessionKey(), browserBaseUrl);
            }
          };
      handedOver = true;
      return result;
    } catch (RunwayException e) {
      switch (e) {
        case ReadinessTimeoutException t -> cancelReason = "timeout";
        case SessionStateException s when s.session().isTerminal() -> {
          endedUpstream = true;
          s.failureCode()
              .ifPresent(
                  code -> {
                    trace.failureCode(code);
                    ledger.failed(id, code, clock.instant());
                  });
        }
        default -> cancelReason = "consume".equals(stage) ? "consume_failed" : "error";
      }
      throw UpstreamErrors.map(e, stage, handle.stopReason());
    } finally {
      if (!handedOver && !endedUpstream) {
        cleanUp(id, handle.stopReason().orElse(cancelReason), trace);
      }
    }
  }

  /**
   * Cancels a session the flow will not hand over. Runs even when the thread was interrupted (the
   * interrupt is often why we are here): the flag is cleared so that the cancel and the answer to
   * the browser can go out, and not set again, since the interrupt has been acted on.
   */
  private void cleanUp(String id, String reason, ConnectTrace trace) {
    boolean wasInterrupted = Thread.interrupted();
    try {
      sessions.cancel(
          id, RequestOptions.deadline(clock.instant().plus(CANCEL_BUDGET)).withMaxRetries(1));
      trace.cancelled(reason);
      events.upstreamSessionCancelled(reason);
      ledger.cancelled(id, reason, clock.instant());
    } catch (RunwayException e) {
      // The ledger still says "created": whoever reads it can find and cancel the session.
      LOG.warn(
          "Could not cancel upstream session {} ({}{}); it may run until it expires",
          id,
          reason,
          wasInterrupted ? ", after an interrupt" : "",
          e);
    }
  }

  private <T> T upstream(String stage, InFlightConnects.Handle handle, UpstreamCall<T> call) {
    try {
      return call.run();
    } catch (RunwayException e) {
      throw UpstreamErrors.map(e, stage, handle.stopReason());
    }
  }

  private void upstream(String stage, InFlightConnects.Handle handle, Runnable call) {
    upstream(
        stage,
        handle,
        () -> {
          call.run();
          return null;
        });
  }

  @FunctionalInterface
  private interface UpstreamCall<T> {
    T run();
  }
}
