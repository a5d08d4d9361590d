package dev.avatargateway.gateway.core;

/**
 * The names of the gateway's structured log fields (JSON members), so code that writes them and
 * tests or dashboards that read them agree.
 */
public final class LogFields {
  /** The request id; an MDC key, set for the whole request by the HTTP layer. */
  public static final String REQUEST_ID = "requestId";

  /** The authenticated principal's name. */
  public static final String PRINCIPAL = "principal";

  /** The avatar asked for (a preset id or a custom avatar's UUID). */
  public static final String AVATAR_ID = "avatarId";

  /** {@code runway-preset} or {@code custom}. */
  public static final String AVATAR_TYPE = "avatarType";

  /** The upstream realtime session's id. */
  public static final String UPSTREAM_SESSION_ID = "upstreamSessionId";

  /** {@code success} or {@code error}. */
  public static final String OUTCOME = "outcome";

  /** {@code ok} or the answered error code. */
  public static final String CODE = "code";

  /** The upstream's failure code of a FAILED session. */
  public static final String FAILURE_CODE = "failureCode";

  /** Milliseconds from creating the upstream session to READY. */
  public static final String TIME_TO_READY_MS = "timeToReadyMs";

  /** Milliseconds from receiving the request to answering it. */
  public static final String TOTAL_MS = "totalMs";

  /** HTTP attempts made to the upstream for this request, retries included. */
  public static final String UPSTREAM_REQUESTS = "upstreamRequests";

  /** Whether the upstream reported the session queued for capacity. */
  public static final String QUEUED = "queued";

  /** The Runway client's operation that failed, e.g. {@code realtime_sessions.create}. */
  public static final String UPSTREAM_OPERATION = "upstreamOperation";

  /** The HTTP status Runway answered a failed call with; 0 when no answer arrived. */
  public static final String UPSTREAM_STATUS = "upstreamStatus";

  /** Runway's own request id of a failed call, for asking Runway about it. */
  public static final String UPSTREAM_REQUEST_ID = "upstreamRequestId";

  /** The gateway's id of a connect, also its ledger row's id. */
  public static final String CONNECT_ID = "connectId";

  private LogFields() {}
}
