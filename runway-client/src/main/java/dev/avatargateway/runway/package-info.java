/** A typed client for Runway's realtime-session and avatar API. */
package dev.avatargateway.runway;
