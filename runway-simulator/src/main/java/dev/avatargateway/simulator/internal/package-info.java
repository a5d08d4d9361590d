/**
 * Implementation of the simulator. Nothing here is API: use the types in {@code
 * dev.avatargateway.simulator} and {@code dev.avatargateway.simulator.junit}.
 */
package dev.avatargateway.simulator.internal;
