package dev.quern.master.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Reads a server-sent event stream on its own thread into a queue of (event, data) pairs. */
final class SseReader implements AutoCloseable {
  record Event(String name, String data) {
    JsonNode json() {
      try {
        return Json.MAPPER.readTree(data);
      } catch (java.io.IOException e) {
        throw new AssertionError("event data is not JSON: " + data, e);
      }
    }
  }

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<Event> seen = new ArrayList<>();
  private final InputStream body;
  private final Thread reader;

  SseReader(HttpClient http, String url) throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "text/event-stream").GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    if (r.statusCode() != 200) {
      throw new AssertionError("event stream answered " + r.statusCode());
    }
    body = r.body();
    reader = new Thread(this::read, "sse-test-reader");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = "message";
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isEmpty()) {
          if (data.length() > 0) {
            events.add(new Event(name, data.toString()));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event:")) {
          name = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5).trim());
        }
      }
    } catch (java.io.IOException closed) {
      // the test closed the stream
    }
  }

  /** Waits for the first event matching {@code p}; every event read on the way is kept. */
  Event await(Predicate<Event> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        throw new AssertionError("no matching event within " + timeout + "; saw " + seen);
      }
      seen.add(e);
      if (p.test(e)) {
        return e;
      }
    }
  }

  List<Event> seen() {
    return seen;
  }

  @Override
  public void close() throws java.io.IOException {
    body.close();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
