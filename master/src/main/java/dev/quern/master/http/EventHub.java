package dev.quern.master.http;

import dev.quern.master.http.json.StateEvent;
import io.javalin.http.sse.SseClient;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans state changes out to the browsers on {@code /api/v1/events}. Sends happen on the hub's own
 * thread, so a slow browser never holds up the engine's listener; a comment every 15 s finds the
 * connections that went away.
 */
final class EventHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventHub.class);
  static final String EVENT_NAME = "state";

  private final Set<SseClient> clients = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "quern-ui-events");
    t.setDaemon(true);
    return t;
  });
  private final MonitoringSource source;
  private final MonitoringSource.Subscription subscription;

  /** Built on the first client: a live source may still be starting when the hub is made. */
  private volatile String helloJson;

  EventHub(MonitoringSource source) {
    this.source = source;
    subscription = source.subscribe(this::publish);
    sender.scheduleWithFixedDelay(() -> sendToAll(c -> c.sendComment("keep-alive")),
        15, 15, TimeUnit.SECONDS);
  }

  /**
   * Keeps the client open and sends it a {@code hello} event ({@code {"mode": "live"}} or
   * {@code "history"}), so it knows it is connected.
   */
  void accept(SseClient client) {
    client.keepAlive();
    client.onClose(() -> clients.remove(client));
    clients.add(client);
    sender.execute(() -> send(client, c -> c.sendEvent("hello", hello())));
  }

  /** How many browsers follow the events now. */
  int watchers() {
    return clients.size();
  }

  private String hello() {
    String json = helloJson;
    if (json == null) {
      json = Json.write(java.util.Map.of("mode", source.cluster().mode()));
      helloJson = json;
    }
    return json;
  }

  /**
   * Runs on the engine's listener thread, so it only hands the event over. With no browser
   * connected there is no one to tell: the event is dropped without being written as JSON (a
   * browser that connects later loads the current state, then follows the events from then on).
   */
  void publish(StateEvent event) {
    if (clients.isEmpty()) {
      return;
    }
    try {
      sender.execute(() -> {
        String json = Json.write(event);
        sendToAll(c -> c.sendEvent(EVENT_NAME, json));
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the server is stopping; late events have no one to go to
    }
  }

  private void sendToAll(java.util.function.Consumer<SseClient> action) {
    clients.forEach(c -> send(c, action));
  }

  private void send(SseClient client, java.util.function.Consumer<SseClient> action) {
    try {
      if (client.terminated()) {
        clients.remove(client);
      } else {
        action.accept(client);
      }
    } catch (RuntimeException e) {
      log.debug("dropping event client: {}", e.toString());
      clients.remove(client);
    }
  }

  @Override
  public void close() {
    subscription.close();
    sender.shutdownNow();
    clients.forEach(c -> {
      try {
        c.close();
      } catch (RuntimeException ignored) {
        // already gone
      }
    });
    clients.clear();
  }
}
