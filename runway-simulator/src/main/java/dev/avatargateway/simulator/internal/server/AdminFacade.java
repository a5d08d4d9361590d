package dev.avatargateway.simulator.internal.server;

import dev.avatargateway.simulator.AvatarStatus;
import dev.avatargateway.simulator.DelayDistribution;
import dev.avatargateway.simulator.FaultRule;
import dev.avatargateway.simulator.RecordedRequest;
import dev.avatargateway.simulator.SessionRecord;
import dev.avatargateway.simulator.SimulatorAdmin;
import dev.avatargateway.simulator.SimulatorStats;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The in-process {@link SimulatorAdmin}; the HTTP admin routes call the same methods. */
final class AdminFacade implements SimulatorAdmin {
  private final SimulatorServer server;

  AdminFacade(SimulatorServer server) {
    this.server = server;
  }

  @Override
  public List<SessionRecord> sessions() {
    return server.world.sessions();
  }

  @Override
  public Optional<SessionRecord> session(String id) {
    return server.world.session(id);
  }

  @Override
  public long leakedCount() {
    return server.world.leakedCount();
  }

  @Override
  public long openCount() {
    return server.world.openCount();
  }

  @Override
  public SimulatorStats stats() {
    return server.stats.snapshot(
        server.world.sessionsCreated(), server.world.leakedCount(), server.world.openCount());
  }

  @Override
  public List<RecordedRequest> requests() {
    return server.log.snapshot();
  }

  @Override
  public void injectFault(FaultRule rule) {
    server.faults.add(Objects.requireNonNull(rule, "rule"));
  }

  @Override
  public void clearFaults() {
    server.faults.clear();
  }

  @Override
  public void setReadyAfter(DelayDistribution readyAfter) {
    Objects.requireNonNull(readyAfter, "readyAfter");
    server.world.updateConfig(b -> b.readyAfter(readyAfter));
  }

  @Override
  public void setConcurrencyCap(int cap) {
    server.world.updateConfig(b -> b.concurrencyCap(cap));
  }

  @Override
  public void setCreditsExhausted(boolean exhausted) {
    server.world.updateConfig(b -> b.creditsExhausted(exhausted));
  }

  @Override
  public void failNextSessions(int count, String failureCode, String failure) {
    server.world.failNext(count, failureCode, failure);
  }

  @Override
  public void endCall(String sessionId) {
    server.world.endCall(Objects.requireNonNull(sessionId, "sessionId"));
  }

  @Override
  public void failRunningSession(String sessionId, String failureCode, String failure) {
    server.world.failRunning(Objects.requireNonNull(sessionId, "sessionId"), failureCode, failure);
  }

  @Override
  public String createAvatar(String name, AvatarStatus status) {
    return server.world.createAvatar(
        name, Objects.requireNonNull(status, "status"), Optional.empty(), Optional.empty());
  }

  @Override
  public void setAvatarStatus(String avatarId, AvatarStatus status) {
    server.world.setAvatarStatus(avatarId, Objects.requireNonNull(status, "status"));
  }

  @Override
  public void advanceClock(Duration by) {
    server.world.advanceClock(by);
  }

  @Override
  public void reset() {
    server.world.reset();
    server.faults.reset(server.startConfig.faults(), server.startConfig.seed());
    server.stats.reset();
    server.log.clear();
  }
}
