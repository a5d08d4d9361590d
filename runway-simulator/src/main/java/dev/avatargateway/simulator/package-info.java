/** A local, stateful simulator of Runway's realtime-session and avatar API. */
package dev.avatargateway.simulator;
