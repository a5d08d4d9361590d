/**
 * Test support for applications using the Avatar Gateway starter: {@link
 * dev.avatargateway.spring.test.AutoConfigureRunwaySimulator}.
 */
package dev.avatargateway.spring.test;
