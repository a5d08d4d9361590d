package dev.avatargateway.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent Events reader over a raw socket, as a browser's EventSource reads one (HTML Living
 * Standard §9.2.6): it sees every comment line, can leave at any moment by closing the socket, and
 * sends {@code Last-Event-ID} when asked to.
 */
final class EventStream implements AutoCloseable {
  /** Far beyond any wait the tests expect; no assertion depends on it. */
  private static final Duration READ_LIMIT = Duration.ofSeconds(60);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Socket socket;
  private final InputStream in;
  private final int status;
  private final Map<String, String> headers;
  private final InputStream body;
  private int comments;
  private boolean ended;

  private EventStream(Socket socket, int status, Map<String, String> headers, InputStream in) {
    this.socket = socket;
    this.in = in;
    this.status = status;
    this.headers = headers;
    this.body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? new Chunks(in) : in;
  }

  /** Opens {@code path} with these extra headers (name, value, ...). */
  static EventStream open(GatewayHarness gateway, String path, String... extraHeaders) {
    try {
      Socket socket = new Socket(InetAddress.getLoopbackAddress(), gateway.app().port());
      socket.setSoTimeout((int) READ_LIMIT.toMillis());
      StringBuilder request =
          new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n")
              .append("Accept: text/event-stream\r\n");
      for (int i = 0; i < extraHeaders.length; i += 2) {
        request.append(extraHeaders[i]).append(": ").append(extraHeaders[i + 1]).append("\r\n");
      }
      request.append("\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String[] lines = readHead(in).split("\r\n", -1);
      int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new EventStream(socket, status, headers, in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int status() {
    return status;
  }

  String header(String name) {
    return headers.get(name.toLowerCase(Locale.ROOT));
  }

  /** The body of a non-stream answer (an error), as JSON. */
  JsonNode json() {
    try {
      return JSON.readTree(new String(readAll(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next event, skipping comments (counted); null once the server ended the stream. */
  Event next() {
    try {
      String id = null;
      String name = "message";
      StringBuilder data = new StringBuilder();
      boolean any = false;
      while (true) {
        String line = readLine();
        if (line == null) {
          ended = true;
          return null;
        }
        if (line.isEmpty()) {
          if (any) {
            return new Event(id, name, data.isEmpty() ? null : JSON.readTree(data.toString()));
          }
          continue;
        }
        if (line.startsWith(":")) {
          comments++;
          continue;
        }
        any = true;
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
        switch (field) {
          case "id" -> id = value;
          case "event" -> name = value;
          case "data" -> data.append(value);
          default -> {}
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every event until the server ends the stream. */
  List<Event> rest() {
    List<Event> events = new ArrayList<>();
    for (Event e = next(); e != null; e = next()) {
      events.add(e);
    }
    return events;
  }

  /** Reads until {@code count} comment lines more have come. */
  void awaitComments(int count) {
    int target = comments + count;
    try {
      while (comments < target) {
        String line = readLine();
        if (line == null) {
          throw new AssertionError("the stream ended before " + count + " comments");
        }
        if (line.startsWith(":")) {
          comments++;
        } else if (!line.isEmpty()) {
          throw new AssertionError("an event came instead of a comment: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int comments() {
    return comments;
  }

  boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One event.
   *
   * @param id its id
   * @param name its name
   * @param data its JSON
   */
  record Event(String id, String name, JsonNode data) {}

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = body.read(); b >= 0; b = body.read()) {
      if (b == '\n') {
        return line.toString(StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  private byte[] readAll() throws IOException {
    if (headers.containsKey("content-length")) {
      return in.readNBytes(Integer.parseInt(headers.get("content-length")));
    }
    return body.readAllBytes();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before an answer: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.ISO_8859_1);
    return text.substring(0, text.length() - end.length);
  }

  /** Decodes a chunked body as it arrives; ends at the last chunk. */
  private static final class Chunks extends InputStream {
    private final InputStream in;
    private int left;
    private boolean done;

    Chunks(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line();
        if (size == null) {
          done = true;
          return -1;
        }
        if (size.isEmpty()) {
          size = line();
          if (size == null) {
            done = true;
            return -1;
          }
        }
        left = Integer.parseInt(size.split(";", 2)[0].trim(), 16);
        if (left == 0) {
          done = true;
          return -1;
        }
      }
      int b = in.read();
      if (b < 0) {
        done = true;
        return -1;
      }
      // The CRLF after a chunk's data is read with the next size line: Jetty sends it only with
      // the next chunk, and reading it here would wait for that.
      left--;
      return b;
    }

    private String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int b = in.read(); b >= 0; b = in.read()) {
        if (b == '\n') {
          String text = line.toString(StandardCharsets.ISO_8859_1);
          return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }
        line.write(b);
      }
      return null;
    }
  }
}
