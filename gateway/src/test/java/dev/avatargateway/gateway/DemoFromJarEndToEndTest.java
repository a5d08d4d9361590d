package dev.avatargateway.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo page as production serves it: from a folder inside a jar (the web build writes it into
 * the gateway's jar), not from a directory of the test classpath. The jar is made here, with
 * directory entries as the Maven jar plugin writes them.
 */
class DemoFromJarEndToEndTest {
  private static final String FOLDER = "demo-in-jar";

  @TempDir Path dir;

  @Test
  void thePageAndItsAssetsAreServedFromAJar() throws IOException {
    Path jar = dir.resolve("page.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      directory(out, FOLDER + "/");
      file(out, FOLDER + "/index.html", "<!doctype html><title>from a jar</title>");
      directory(out, FOLDER + "/assets/");
      file(out, FOLDER + "/assets/app-0f1e2d.js", "console.log('from a jar');");
    }
    ClassLoader before = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader withJar =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      Thread.currentThread().setContextClassLoader(withJar);
      try (GatewayHarness gateway = GatewayHarness.startServingDemoFrom(FOLDER, "", Map.of())) {
        GatewayHarness.Response page = gateway.get("/demo/");
        GatewayHarness.Response asset = gateway.get("/demo/assets/app-0f1e2d.js");
        GatewayHarness.Response missing = gateway.get("/demo/assets/app-ffffff.js");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("from a jar");
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(asset.status()).isEqualTo(200);
        assertThat(asset.body()).contains("from a jar");
        assertThat(asset.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("not_found");
      }
    } finally {
      Thread.currentThread().setContextClassLoader(before);
    }
  }

  private static void directory(JarOutputStream out, String name) throws IOException {
    out.putNextEntry(new JarEntry(name));
    out.closeEntry();
  }

  private static void file(JarOutputStream out, String name, String text) throws IOException {
    out.putNextEntry(new JarEntry(name));
    OutputStream entry = out;
    entry.write(text.getBytes(StandardCharsets.UTF_8));
    out.closeEntry();
  }
}
