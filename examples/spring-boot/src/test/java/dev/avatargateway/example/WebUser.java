package dev.avatargateway.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * One person's browser without the browser: its own cookies, the login form posted with the CSRF
 * token as the login page does, then the page's calls with the token {@code GET /api/me} hands
 * over. Redirects are not followed, so that a test sees where each answer sends it.
 */
final class WebUser {
  /** Far beyond a connect to the simulator (about 1.5 s to READY), short of hanging a build. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final URI base;
  private final HttpClient client;
  private String csrfHeader;
  private String csrfToken;

  private WebUser(URI base) {
    this.base = base;
    this.client =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /** Someone who has not logged in. */
  static WebUser anonymous(int port) {
    return new WebUser(URI.create("http://127.0.0.1:" + port));
  }

  /** Someone who logged in through the form; fails the test when the login did not succeed. */
  static WebUser loggedIn(int port, String name, String password)
      throws IOException, InterruptedException {
    WebUser user = anonymous(port);
    HttpResponse<String> answer = user.logIn(name, password);
    assertThat(answer.statusCode()).as("login answer").isEqualTo(302);
    assertThat(answer.headers().firstValue("Location"))
        .as("where the login sends the user")
        .hasValueSatisfying(location -> assertThat(location).doesNotContain("error"));
    Map<String, Object> me = json(user.get("/api/me"));
    assertThat(me).containsEntry("user", name);
    @SuppressWarnings("unchecked")
    Map<String, Object> csrf = (Map<String, Object>) me.get("csrf");
    user.csrfHeader = (String) csrf.get("headerName");
    user.csrfToken = (String) csrf.get("token");
    return user;
  }

  /** Takes the CSRF token an anonymous page gets (the login page's), for the calls that send it. */
  WebUser withCsrfToken() throws IOException, InterruptedException {
    Map<String, Object> csrf = json(get("/api/csrf"));
    csrfHeader = (String) csrf.get("headerName");
    csrfToken = (String) csrf.get("token");
    return this;
  }

  /**
   * Does what the login page does: asks for the CSRF token, then posts the form; answers the form's
   * answer (a redirect).
   */
  HttpResponse<String> logIn(String name, String password)
      throws IOException, InterruptedException {
    Map<String, Object> csrf = json(get("/api/csrf"));
    return postForm(
        "/login",
        "username",
        name,
        "password",
        password,
        (String) csrf.get("parameterName"),
        (String) csrf.get("token"));
  }

  /** Posts the page's logout form (the CSRF token as its field). */
  HttpResponse<String> logOut() throws IOException, InterruptedException {
    return postForm("/logout", "_csrf", csrfToken);
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return send(request(path).GET());
  }

  /** A {@code GET} as a browser's address bar sends it: HTML preferred. */
  HttpResponse<String> open(String path) throws IOException, InterruptedException {
    return send(request(path).header("Accept", "text/html,*/*;q=0.8").GET());
  }

  /** A JSON {@code POST} as the page sends it, with the CSRF token. */
  HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
    return send(withCsrf(jsonPost(path, json)));
  }

  /** A JSON {@code POST} without the CSRF token: what another site's page could try. */
  HttpResponse<String> postWithoutCsrf(String path, String json)
      throws IOException, InterruptedException {
    return send(jsonPost(path, json));
  }

  HttpResponse<String> delete(String path) throws IOException, InterruptedException {
    return send(withCsrf(request(path).DELETE()));
  }

  static Map<String, Object> json(HttpResponse<String> response) {
    assertThat(response.headers().firstValue("Content-Type"))
        .as("%s %s", response.statusCode(), response.body())
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/").contains("json"));
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.readValue(response.body(), Map.class);
    return map;
  }

  private HttpRequest.Builder withCsrf(HttpRequest.Builder request) {
    assertThat(csrfToken).as("a CSRF token (log in first)").isNotNull();
    return request.header(csrfHeader, csrfToken);
  }

  private HttpRequest.Builder jsonPost(String path, String json) {
    return request(path)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json));
  }

  private HttpResponse<String> postForm(String path, String... fields)
      throws IOException, InterruptedException {
    StringBuilder form = new StringBuilder();
    for (int i = 0; i < fields.length; i += 2) {
      if (!form.isEmpty()) {
        form.append('&');
      }
      form.append(URLEncoder.encode(fields[i], StandardCharsets.UTF_8))
          .append('=')
          .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
    }
    return send(
        request(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString())));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
