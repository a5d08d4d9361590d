package dev.avatargateway.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Import;

/**
 * Points the Avatar Gateway starter at an in-process Runway simulator: put it on a
 * {@code @SpringBootTest} class. The simulator starts on a free loopback port before the
 * application context, its {@code runway.base-url}, {@code runway.api-secret} and {@code
 * runway.simulated=true} are set, and it stops with the context. The test can inject the {@link
 * dev.avatargateway.simulator.RunwaySimulator} bean to steer it (faults, delays) or read what it
 * received.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Import(RunwaySimulatorConfiguration.class)
public @interface AutoConfigureRunwaySimulator {}
