/** JUnit Jupiter support: {@link dev.avatargateway.simulator.junit.RunwaySimulatorExtension}. */
package dev.avatargateway.simulator.junit;
