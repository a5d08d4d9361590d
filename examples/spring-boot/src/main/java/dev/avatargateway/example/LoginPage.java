package dev.avatargateway.example;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * {@code GET /login} is the static {@code login.html}, so that the login page's address is the
 * address the form posts to, as Spring Security's own page has it.
 */
@Configuration(proxyBeanMethods = false)
class LoginPage implements WebMvcConfigurer {
  @Override
  public void addViewControllers(ViewControllerRegistry registry) {
    registry.addViewController("/login").setViewName("forward:/login.html");
  }
}
