package dev.quern.master.client;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A master's HTTP side played by a test: a real Javalin server on 127.0.0.1 and a free port whose
 * answer to every request is whatever {@link #behave} last set, and which records each request.
 */
final class FakeMaster implements AutoCloseable {
  /** One request as the server saw it. */
  record Seen(String method, String path, String contentType, byte[] body) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final AtomicInteger requests = new AtomicInteger();
  private volatile Consumer<Context> behaviour = ctx -> ctx.status(500).result("no behaviour");
  private final Javalin app;

  FakeMaster() {
    app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.startup.showOldJavalinVersionWarning = false;
      c.routes.get("/*", this::handle);
      c.routes.post("/*", this::handle);
    });
    app.start("127.0.0.1", 0);
  }

  private void handle(Context ctx) {
    seen.add(new Seen(ctx.method().name(), ctx.path(), ctx.contentType(), ctx.bodyAsBytes()));
    requests.incrementAndGet();
    behaviour.accept(ctx);
  }

  FakeMaster behave(Consumer<Context> b) {
    behaviour = b;
    return this;
  }

  String address() {
    return "127.0.0.1:" + app.port();
  }

  /** Answers as a leader would: 200 with {@code {"from": address}} and the body echoed back. */
  FakeMaster lead() {
    String me = address();
    return behave(ctx -> ctx.status(ctx.method().name().equals("POST") ? 202 : 200)
        .contentType("application/json")
        .result("{\"from\":\"" + me + "\",\"length\":" + ctx.bodyAsBytes().length + "}"));
  }

  /** Answers as a follower does for a leader-only request: 307 to the same path on {@code leader}. */
  FakeMaster redirectTo(FakeMaster leader) {
    return redirectTo(leader.address());
  }

  FakeMaster redirectTo(String leaderAddress) {
    return behave(ctx -> ctx.status(307).header("Location", "http://" + leaderAddress + ctx.path())
        .contentType("application/json").result("{\"error\":\"not the leader\"}"));
  }

  /** Answers as a master that knows no leader: 503 with a JSON error. */
  FakeMaster noLeader(String why) {
    return behave(ctx -> ctx.status(503).contentType("application/json")
        .result("{\"error\":\"" + why + "\"}"));
  }

  @Override
  public void close() {
    app.stop();
  }
}
