/**
 * The Avatar Gateway Spring Boot starter: its properties ({@link
 * dev.avatargateway.spring.RunwayProperties}, {@link
 * dev.avatargateway.spring.AvatarGatewayProperties}) and its auto-configuration ({@link
 * dev.avatargateway.spring.AvatarGatewayAutoConfiguration}). See docs/spring-boot.md.
 */
package dev.avatargateway.spring;
