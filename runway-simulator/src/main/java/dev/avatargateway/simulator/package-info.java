/** A local, stateful simulator of Runway's realtime-session, avatar, conversation and usage API. */
package dev.avatargateway.simulator;
