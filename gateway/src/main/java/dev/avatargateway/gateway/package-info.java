/**
 * The Avatar Gateway service: {@code POST /api/avatar/connect} answers a browser with WebRTC
 * credentials for a Runway realtime avatar session; the Runway secret never leaves the server.
 */
package dev.avatargateway.gateway;
