package dev.avatargateway.gateway.core.internal.connect;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.avatargateway.gateway.core.AnswerRenderer;
import dev.avatargateway.gateway.core.Authenticator;
import dev.avatargateway.gateway.core.AvatarChoice;
import dev.avatargateway.gateway.core.ClientPresence;
import dev.avatargateway.gateway.core.ConnectConfig;
import dev.avatargateway.gateway.core.ConnectEvent;
import dev.avatargateway.gateway.core.ConnectListener;
import dev.avatargateway.gateway.core.ConnectRequest;
import dev.avatargateway.gateway.core.ConnectResult;
import dev.avatargateway.gateway.core.ErrorCode;
import dev.avatargateway.gateway.core.GatewayException;
import dev.avatargateway.gateway.core.IdempotentReplay;
import dev.avatargateway.gateway.core.LogFields;
import dev.avatargateway.gateway.core.Principal;
import dev.avatargateway.gateway.core.StopReason;
import dev.avatargateway.gateway.core.internal.admission.Admission;
import dev.avatargateway.gateway.core.internal.avatars.AvatarCatalog;
import dev.avatargateway.gateway.core.internal.avatars.CustomAvatarVerifier;
import dev.avatargateway.gateway.core.internal.avatars.ResolvedAvatar;
import dev.avatargateway.gateway.core.internal.idempotency.IdempotentStarts;
import dev.avatargateway.gateway.core.internal.limits.AuthFailureLimiter;
import dev.avatargateway.gateway.core.internal.limits.ClientAddressResolver;
import dev.avatargateway.gateway.core.internal.limits.ConnectLimiter;
import dev.avatargateway.gateway.core.internal.limits.Permit;
import dev.avatargateway.gateway.core.internal.line.WaitingLine;
import dev.avatargateway.gateway.core.internal.readiness.ReadinessPoller;
import dev.avatargateway.gateway.core.internal.readiness.ReadinessRequest;
import dev.avatargateway.runway.ReadinessTimeoutException;
import dev.avatargateway.runway.RealtimeSession;
import dev.avatargateway.runway.RealtimeSessionCreateParams;
import dev.avatargateway.runway.RealtimeSessions;
import dev.avatargateway.runway.RequestOptions;
import dev.avatargateway.runway.RunwayApiException;
import dev.avatargateway.runway.RunwayException;
import dev.avatargateway.runway.RunwayInterruptedException;
import dev.avatargateway.runway.SessionCredentials;
import dev.avatargateway.runway.SessionStateException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connect use case, whole: authenticate, read the avatar choice, resolve and allow the avatar,
 * pass the limits, record the intent, create the upstream session, wait until READY, consume it (or
 * hand out its key), and record each step before the next. Whatever stops the flow after create
 * (the deadline, a FAILED session, a consume error, the browser leaving, shutdown, a ledger that
 * cannot record) cancels the upstream session, so nothing paid is left running that nobody will
 * use. It reports everything as {@link ConnectEvent}s: to the ledger first (which must succeed for
 * the steps the flow depends on), then to the listeners (metrics, the summary log line, event
 * streams).
 */
public final class ConnectUseCase {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectUseCase.class);

  /**
   * How long clean-up may take, whatever the connect's deadline: one cancel with one retry
   * (runway-client's own clean-up budget is the same).
   */
  static final Duration CANCEL_BUDGET = Duration.ofSeconds(5);

  /**
   * Retry-After when the ledger cannot record: a database that is failing over or restarting is
   * usually back within seconds, and a shorter hint would only add load while it recovers.
   */
  static final Duration LEDGER_RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * How much longer than the queued deadline an idempotency key's claim holds: the clean-up ({@link
   * #CANCEL_BUDGET}) and the ledger's writes after the deadline, with room to spare. Only a crashed
   * connect's claim runs out (a live one completes or releases its key); its key is free again
   * then, and its session is cancelled by the ledger's recovery.
   */
  static final Duration IDEMPOTENCY_LEASE_MARGIN = Duration.ofSeconds(30);

  private static final String RETRIEVE = "realtime_sessions.retrieve";
  private static final String CONSUME = "realtime_sessions.consume";

  private final Parts parts;
  private final Optional<String> browserBaseUrl;

  /**
   * What the flow needs.
   *
   * @param admission refuses connects beyond what the gateway can hold, before anything else
   * @param authenticator who is asking
   * @param addresses the client's address, behind trusted proxies
   * @param catalog the allowed avatars and their session templates
   * @param verifier checks custom avatars upstream
   * @param config deadlines, and the response mode of requests that do not ask for one
   * @param limiter per-principal and per-address rate limits and the concurrency cap
   * @param authFailures throttles addresses that keep sending invalid credentials
   * @param line the gateway-wide cap on creations in flight, with the line that waits for it
   * @param sessions the upstream realtime-session API
   * @param recorder the ledger
   * @param listeners metrics, logs, event streams
   * @param inFlight the running connects, through which a disconnect or shutdown stops one
   * @param readiness waits for READY: one poller for every waiting connect
   * @param upstreamBaseUrl the upstream base URL, told to browsers in session-key mode when it is
   *     not Runway's default host (client-contract.md §1.3); empty when it is the default
   * @param clock the time
   * @param idempotency idempotent starts: the {@code Idempotency-Key} of the request
   * @param answers renders answers as the transport sends them, for idempotent starts to store
   */
  public record Parts(
      Admission admission,
      Authenticator authenticator,
      ClientAddressResolver addresses,
      AvatarCatalog catalog,
      CustomAvatarVerifier verifier,
      ConnectConfig config,
      ConnectLimiter limiter,
      AuthFailureLimiter authFailures,
      WaitingLine line,
      RealtimeSessions sessions,
      ConnectRecorder recorder,
      List<ConnectListener> listeners,
      InFlightConnects inFlight,
      ReadinessPoller readiness,
      Optional<URI> upstreamBaseUrl,
      Clock clock,
      IdempotentStarts idempotency,
      AnswerRenderer answers) {
    /** Copies the listeners. */
    public Parts {
      listeners = List.copyOf(listeners);
    }
  }

  /**
   * @param parts what the flow needs
   */
  public ConnectUseCase(Parts parts) {
    this.parts = parts;
    this.browserBaseUrl = parts.upstreamBaseUrl().map(URI::toString);
  }

  /**
   * Runs one connect on the calling thread, from authentication to the answer, and reports it as
   * events ending with exactly one {@link ConnectEvent.Ended}.
   *
   * @throws GatewayException for every failure, with the answer the client should get
   */
  public ConnectResult connect(ConnectRequest request) {
    return run(request, IdempotentStarts.Operation.CONNECT);
  }

  /**
   * Runs an asynchronous start's flow on the calling thread: the connect's, except that its {@code
   * Idempotency-Key} stands for the start's {@code 202}, which is stored the moment the start is
   * accepted (it joins the line, or its intent is recorded), before the caller is answered. A
   * repeat then gets the same {@code 202} and id, whatever became of the session.
   *
   * @throws GatewayException for every failure, with the answer the client should get
   */
  public ConnectResult start(ConnectRequest request) {
    return run(request, IdempotentStarts.Operation.SESSIONS);
  }

  private ConnectResult run(ConnectRequest request, IdempotentStarts.Operation operation) {
    Flow flow = new Flow(request, operation);
    try (ConnectTrace.Scope scope = flow.trace.bind()) {
      try {
        return flow.run();
      } catch (IdempotentReplay e) {
        // The stored answer of an earlier request: nothing ran for this one.
        throw e;
      } catch (GatewayException e) {
        flow.code = Optional.of(e.code());
        throw e;
      } catch (RuntimeException e) {
        flow.code = Optional.of(ErrorCode.INTERNAL_ERROR);
        throw e;
      } finally {
        flow.end();
      }
    }
  }

  /** One connect's state, for its events. Used by one thread. */
  private final class Flow {
    private final ConnectRequest request;
    private final IdempotentStarts.Operation operation;
    private final String connectId;
    private final ConnectConfig.ResponseMode mode;
    private final ConnectTrace trace = new ConnectTrace();
    private final Instant received;
    private Optional<String> principal = Optional.empty();
    private Optional<ResolvedAvatar> avatar = Optional.empty();
    private Optional<String> sessionId = Optional.empty();
    private Optional<ErrorCode> code = Optional.empty();
    private Optional<String> failureCode = Optional.empty();
    private Optional<Duration> timeToReady = Optional.empty();
    private boolean queued;
    private Duration lineWait = Duration.ZERO;
    private boolean intentRecorded;
    private IdempotentStarts.Start idempotent = IdempotentStarts.NONE;
    private boolean answerStored;

    Flow(ConnectRequest request, IdempotentStarts.Operation operation) {
      this.request = request;
      this.operation = operation;
      this.connectId = request.connectId();
      // The path the request came by may fix the answer's shape; else the configured one.
      this.mode = request.responseMode().orElseGet(() -> parts.config().mode());
      this.received = now();
    }

    ConnectResult run() {
      // Admission first: an overloaded gateway refuses before reading the body, checking
      // credentials, calling upstream or writing the ledger; end() still reports the refusal.
      try (Admission.Ticket admitted = parts.admission().admit()) {
        return runAdmitted();
      }
    }

    private ConnectResult runAdmitted() {
      String address = parts.addresses().resolve(request.peerAddress(), request.forwardedFor());
      Principal who = authenticate(address);
      principal = Optional.of(who.name());
      AvatarChoice choice = request.body().read();
      // Before the limits: a replayed answer charges nothing.
      idempotent =
          parts
              .idempotency()
              .begin(
                  operation,
                  mode,
                  who.name(),
                  request.headers(),
                  choice,
                  parts
                      .config()
                      .queuedDeadline()
                      .plus(CANCEL_BUDGET)
                      .plus(IDEMPOTENCY_LEASE_MARGIN));
      try {
        ConnectResult result = runKeyed(who, address, choice);
        if (!answerStored) {
          idempotent.complete(() -> parts.answers().success(result));
        }
        return result;
      } catch (GatewayException e) {
        if (answerStored) {
          // An asynchronous start's 202 was stored and answered: it stands.
          throw e;
        }
        // Stripe's rule: once its side effects began (the intent is recorded), the answer stands.
        if (intentRecorded && IdempotentStarts.storable(e)) {
          idempotent.complete(() -> parts.answers().failure(e, request.requestId()));
        } else {
          idempotent.release();
        }
        throw e;
      } catch (RuntimeException | Error e) {
        if (!answerStored) {
          idempotent.release();
        }
        throw e;
      }
    }

    /**
     * An asynchronous start is answered {@code 202} when the listeners hear that it was accepted
     * (its first {@link ConnectEvent.Waiting}, or its {@link ConnectEvent.Accepted} once the ledger
     * took it): its key's answer is stored just before, so that a repeat never finds the key still
     * running after the first caller got its answer.
     */
    private void beforeListeners(ConnectEvent event) {
      if (operation == IdempotentStarts.Operation.SESSIONS
          && !answerStored
          && (event instanceof ConnectEvent.Accepted || event instanceof ConnectEvent.Waiting)) {
        answerStored = true;
        idempotent.complete(() -> parts.answers().started(connectId));
      }
    }

    private ConnectResult runKeyed(Principal who, String address, AvatarChoice choice) {
      try (InFlightConnects.Handle handle = parts.inFlight().register();
          ClientPresence.Watch watch = request.presence().watchStops(handle::stop)) {
        ResolvedAvatar resolved =
            parts.catalog().resolve(choice.avatarId(), choice.customAvatarId());
        avatar = Optional.of(resolved);
        Instant start = now();
        Instant deadline = start.plus(parts.config().deadline());
        Instant queuedDeadline = start.plus(parts.config().queuedDeadline());
        try (Permit admission = parts.limiter().admit(who, address)) {
          if (resolved.isCustom()) {
            upstream("avatars.retrieve", handle, () -> parts.verifier().verify(resolved, deadline));
          }
          try (WaitingLine.Place slot = waitForTurn(who, address, handle)) {
            // Time in the line is not time to READY: the deadlines move by the wait.
            Duration waited = lineWait;
            RealtimeSessionCreateParams params = parts.catalog().paramsFor(resolved);
            record(
                handle,
                new ConnectEvent.Accepted(
                    connectId,
                    now(),
                    request.requestId(),
                    who.name(),
                    address,
                    resolved.id(),
                    resolved.type(),
                    mode,
                    params.maxDuration().isPresent()
                        ? Optional.of(Duration.ofSeconds(params.maxDuration().getAsInt()))
                        : Optional.empty()));
            intentRecorded = true;
            String id = create(params, deadline.plus(waited), handle);
            sessionId = Optional.of(id);
            return prepare(
                id,
                start.plus(waited),
                deadline.plus(waited),
                queuedDeadline.plus(waited),
                handle,
                slot);
          }
        }
      }
    }

    /**
     * Takes a creation slot through the waiting line; a wait is reported as {@link
     * ConnectEvent.Waiting} events and one {@link ConnectEvent.WaitEnded}. A stop from outside (the
     * client left, shutdown) interrupts the wait, which gives up the place at once.
     */
    private WaitingLine.Place waitForTurn(
        Principal who, String address, InFlightConnects.Handle handle) {
      Instant joined = now();
      boolean[] waiting = {false};
      // Disjoint prefixes, as the limiter's: a principal named like an address never shares places.
      String key = who.isAnonymous() ? "address:" + address : "principal:" + who.name();
      try {
        WaitingLine.Place place =
            parts
                .line()
                .enter(
                    key,
                    Optional.of(who.name()),
                    (position, eta) -> {
                      waiting[0] = true;
                      tell(new ConnectEvent.Waiting(connectId, now(), who.name(), position, eta));
                    });
        if (waiting[0]) {
          lineWait = Duration.between(joined, now());
          tell(new ConnectEvent.WaitEnded(connectId, now(), lineWait, true));
        }
        if (handle.stopReason().isPresent()) {
          // Stopped as its turn came: nobody would receive the session, so none is created.
          place.close();
          // Its interrupt, if it came yet, is acted on here: cleared, as a wait's is.
          if (Thread.interrupted()) {
            LOG.debug("Connect {} was stopped as its turn in the line came", connectId);
          }
          throw UpstreamErrors.stopped(handle.stopReason(), null);
        }
        return place;
      } catch (InterruptedException e) {
        // Not set again: the interrupt is acted on by leaving, and the answer must still go out.
        leftLine(waiting[0], joined);
        throw UpstreamErrors.stopped(handle.stopReason(), e);
      } catch (GatewayException e) {
        leftLine(waiting[0], joined);
        throw e;
      }
    }

    /** Refuses an address that keeps failing before its credentials are checked again. */
    private Principal authenticate(String address) {
      parts.authFailures().check(address);
      try {
        return parts.authenticator().authenticate(request.headers());
      } catch (GatewayException e) {
        if (e.code() == ErrorCode.UNAUTHENTICATED) {
          parts.authFailures().failed(address);
        }
        throw e;
      }
    }

    private void leftLine(boolean waited, Instant joined) {
      if (waited) {
        tell(new ConnectEvent.WaitEnded(connectId, now(), Duration.between(joined, now()), false));
      }
    }

    private String create(
        RealtimeSessionCreateParams params, Instant deadline, InFlightConnects.Handle handle) {
      // A create cut off halfway may have started a paid session whose id we would never learn.
      handle.deferInterrupts();
      try {
        return parts.sessions().create(params, RequestOptions.deadline(deadline));
      } catch (RunwayException e) {
        GatewayException answer = mapAndLog(e, "realtime_sessions.create", handle);
        tell(new ConnectEvent.CreateFailed(connectId, now(), answer.code(), mayHaveCreated(e)));
        throw answer;
      } finally {
        // A stop that came during create interrupts now, and the wait below ends at once.
        handle.allowInterrupts();
      }
    }

    private ConnectResult prepare(
        String id,
        Instant start,
        Instant deadline,
        Instant queuedDeadline,
        InFlightConnects.Handle handle,
        WaitingLine.Place slot) {
      boolean handedOver = false;
      boolean endedUpstream = false;
      String stage = RETRIEVE;
      String avatarId = avatar.map(ResolvedAvatar::id).orElseThrow();
      StopReason cancelReason = StopReason.ERROR;
      try {
        // The instant the ledger records as created_at: the readiness model's samples from the
        // ledger and from live sessions then measure the same interval.
        Instant createdAt = now();
        record(handle, new ConnectEvent.Created(connectId, createdAt, id));
        RealtimeSession.Ready ready =
            parts
                .readiness()
                .await(
                    new ReadinessRequest(
                        id,
                        avatarId,
                        createdAt,
                        deadline,
                        queuedDeadline,
                        status -> {
                          // A queued session of ours closes the line until none is.
                          slot.upstreamQueued(
                              status instanceof RealtimeSession.NotReady n && n.queued());
                          if (status instanceof RealtimeSession.NotReady n
                              && n.queued()
                              && !queued) {
                            queued = true;
                            tell(new ConnectEvent.Queued(connectId, now(), id));
                          }
                        },
                        // Reads run on the poller's threads: count them against this connect.
                        read ->
                            () -> {
                              try (ConnectTrace.Scope scope = trace.bind()) {
                                read.run();
                              }
                            }));
        Duration toReady = Duration.between(start, now());
        timeToReady = Optional.of(toReady);
        record(handle, new ConnectEvent.Ready(connectId, now(), id, toReady));
        stage = CONSUME;
        ConnectResult result =
            switch (mode) {
              case CREDENTIALS -> {
                SessionCredentials credentials =
                    parts
                        .sessions()
                        .consume(id, ready.sessionKey(), RequestOptions.deadline(queuedDeadline));
                record(
                    handle,
                    new ConnectEvent.Consumed(connectId, now(), id, trace.upstreamRequests()));
                yield new ConnectResult.Credentials(
                    id, credentials.url(), credentials.token(), credentials.roomName());
              }
              case SESSION_KEY -> {
                // Recorded before the key leaves: from here on the browser may start the session.
                record(
                    handle,
                    new ConnectEvent.HandedOut(connectId, now(), id, trace.upstreamRequests()));
                yield new ConnectResult.SessionKey(id, ready.sessionKey(), browserBaseUrl);
              }
            };
        handedOver = true;
        return result;
      } catch (GatewayException e) {
        if (e.code() == ErrorCode.LEDGER_UNAVAILABLE) {
          cancelReason = StopReason.LEDGER_FAILED;
        }
        throw e;
      } catch (RunwayException e) {
        switch (e) {
          case ReadinessTimeoutException t -> cancelReason = StopReason.TIMEOUT;
          case SessionStateException s when s.session().isTerminal() -> {
            endedUpstream = true;
            failureCode = s.failureCode();
            tell(
                new ConnectEvent.Failed(
                    connectId, now(), id, s.session().status(), s.failureCode()));
          }
          default ->
              cancelReason = CONSUME.equals(stage) ? StopReason.CONSUME_FAILED : StopReason.ERROR;
        }
        throw mapAndLog(e, stage, handle);
      } finally {
        if (!handedOver && !endedUpstream) {
          cleanUp(id, handle.stopReason().orElse(cancelReason));
        }
      }
    }

    /**
     * Cancels a session the flow will not hand over. Runs even when the thread was interrupted (the
     * interrupt is often why we are here): the flag is cleared so that the cancel and the answer
     * can go out, and not set again, since the interrupt has been acted on.
     */
    private void cleanUp(String id, StopReason reason) {
      boolean wasInterrupted = Thread.interrupted();
      try {
        parts
            .sessions()
            .cancel(id, RequestOptions.deadline(now().plus(CANCEL_BUDGET)).withMaxRetries(1));
        tell(new ConnectEvent.Cancelled(connectId, now(), id, reason));
      } catch (RunwayException e) {
        logUpstreamFailure("realtime_sessions.cancel", e, null);
        LOG.warn(
            "Could not cancel upstream session {} ({}{}); the ledger's keeper retries",
            id,
            reason.code(),
            wasInterrupted ? ", after an interrupt" : "");
        tell(new ConnectEvent.CancelFailed(connectId, now(), id, reason));
      }
    }

    private void upstream(String operation, InFlightConnects.Handle handle, Runnable call) {
      try {
        call.run();
      } catch (RunwayException e) {
        throw mapAndLog(e, operation, handle);
      }
    }

    private GatewayException mapAndLog(
        RunwayException e, String operation, InFlightConnects.Handle handle) {
      GatewayException answer = UpstreamErrors.map(e, operation, handle.stopReason());
      logUpstreamFailure(operation, e, answer.code());
      return answer;
    }

    /**
     * The write-ahead step: the ledger records the event before the flow goes on, or the flow
     * stops. No interrupt may reach the database call (an interrupted JDBC call may break its
     * connection, and an embedded database's file channel): new stops are held off meanwhile, and a
     * pending interrupt is set aside and put back after.
     */
    private void record(InFlightConnects.Handle handle, ConnectEvent event) {
      handle.deferInterrupts();
      boolean interrupted = Thread.interrupted();
      try {
        parts.recorder().record(event);
      } catch (GatewayException e) {
        // The ledger refused the step with an answer of its own (a budget used up, decided in the
        // intent's transaction): nothing was recorded or started.
        throw e;
      } catch (RuntimeException e) {
        LOG.error(
            "The session ledger could not record {} of connect {}; the flow stops",
            event.getClass().getSimpleName(),
            connectId,
            e);
        throw new GatewayException(
            ErrorCode.LEDGER_UNAVAILABLE,
            "Avatar sessions are unavailable right now; try again shortly.",
            LEDGER_RETRY_AFTER,
            Map.of(),
            e);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
        handle.allowInterrupts();
      }
      beforeListeners(event);
      notifyListeners(event);
    }

    /**
     * An event the ledger should record but the flow does not wait on; a pending interrupt is set
     * aside for the database call, as in {@link #record}.
     */
    private void tell(ConnectEvent event) {
      boolean interrupted = Thread.interrupted();
      try {
        parts.recorder().record(event);
      } catch (RuntimeException e) {
        LOG.error(
            "The session ledger could not record {} of connect {} (upstream session {})",
            event.getClass().getSimpleName(),
            connectId,
            sessionId.orElse("none"),
            e);
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      beforeListeners(event);
      notifyListeners(event);
    }

    void end() {
      tell(
          new ConnectEvent.Ended(
              connectId,
              now(),
              request.requestId(),
              principal,
              avatar.map(ResolvedAvatar::id),
              avatar.map(ResolvedAvatar::type),
              sessionId,
              code,
              failureCode,
              timeToReady,
              Duration.between(received, now()),
              trace.upstreamRequests(),
              queued));
    }
  }

  private void notifyListeners(ConnectEvent event) {
    for (ConnectListener listener : parts.listeners()) {
      try {
        listener.on(event);
      } catch (RuntimeException e) {
        LOG.warn("A connect listener failed on {}", event.getClass().getSimpleName(), e);
      }
    }
  }

  /**
   * Logs an upstream failure once, with what an operator needs to ask Runway about it: the
   * operation, the HTTP status and Runway's request id. Stops from outside (the client left, the
   * gateway stops) and sessions that ended upstream are not failed calls.
   */
  private static void logUpstreamFailure(String operation, RunwayException e, ErrorCode answer) {
    if (e instanceof RunwayInterruptedException || e instanceof SessionStateException) {
      return;
    }
    String answered = answer == null ? "nothing" : answer.code();
    if (e instanceof RunwayApiException api) {
      LOG.warn(
          "Runway {} failed with HTTP {} (Runway request id {}); answering {}",
          operation,
          api.status(),
          api.requestId().orElse("none"),
          answered,
          kv(LogFields.UPSTREAM_OPERATION, operation),
          kv(LogFields.UPSTREAM_STATUS, api.status()),
          kv(LogFields.UPSTREAM_REQUEST_ID, api.requestId().orElse(null)));
    } else {
      LOG.warn(
          "Runway {} failed without an answer ({}); answering {}",
          operation,
          e.getClass().getSimpleName(),
          answered,
          kv(LogFields.UPSTREAM_OPERATION, operation),
          kv(LogFields.UPSTREAM_STATUS, 0));
    }
  }

  /**
   * Whether a failed create may have started a session all the same: a 4xx answer means it did not;
   * anything else (a 5xx, a time-out, a broken connection) leaves it unknown
   * (official-sdk-behaviour.md §1.3: a create that failed after commit did create).
   */
  private static boolean mayHaveCreated(RunwayException e) {
    return !(e instanceof RunwayApiException api && api.status() < 500);
  }

  private Instant now() {
    return parts.clock().instant();
  }
}
