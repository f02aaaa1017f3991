package dev.quern.examples.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quern.api.JobStatus;
import dev.quern.api.io.FileInputFormat;
import dev.quern.examples.CurrentLocalCluster;
import dev.quern.examples.Drivers;
import dev.quern.examples.ExampleFailedException;
import dev.quern.testkit.Seed;
import dev.quern.testkit.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The join on a local cluster with 2 workers, its output checked against a hash join computed
 * here in plain Java over the same files.
 */
@ExtendWith(Seeds.class)
class JoinEndToEndTest {
  @RegisterExtension static final CurrentLocalCluster CLUSTER = new CurrentLocalCluster(2);

  @TempDir Path dir;


  @Test
  void joinsEveryOrderWithItsCustomerAcrossManySplits(Seed seed) throws Exception {
    Path orders = dir.resolve("orders");
    Path customers = dir.resolve("customers");
    writeRandomTables(orders, customers, seed.random());
    Path out = dir.resolve("out");

    JobStatus status = Drivers.run(Join.job(orders.toString(), customers.toString(),
        out.toString(), Map.of(FileInputFormat.SPLIT_SIZE, "8k")));

    Expected e = plainJoin(orders, customers);
    List<String> lines = outputLines(out);
    assertThat(sorted(lines)).isEqualTo(sorted(e.lines));
    assertThat(status.counters().get(Join.COUNTERS, Join.ORDERS_JOINED))
        .isEqualTo(e.lines.size());
    assertThat(status.counters().get(Join.COUNTERS, Join.ORDERS_WITHOUT_CUSTOMER))
        .isEqualTo(e.orphans).isPositive();
    assertThat(status.counters().get(Join.COUNTERS, Join.CUSTOMERS_WITHOUT_ORDERS))
        .isEqualTo(e.lonelyCustomers).isPositive();
    assertCustomerOrderWithinParts(out);
  }

  @Test
  void driverRunsOnTheBuiltInSample() throws Exception {
    JoinSample.Paths sample = JoinSample.prepare(dir.resolve("sample"));
    Join.main(new String[] {sample.orders(), sample.customers(), sample.output()});

    Expected e = plainJoin(Path.of(sample.orders()), Path.of(sample.customers()));
    assertThat(sorted(outputLines(Path.of(sample.output())))).isEqualTo(sorted(e.lines));
    assertThat(e.lines).hasSize(46);
    assertThat(e.orphans).isEqualTo(2);
    assertThat(e.lines).contains("o001,c06,78.50,Katherine Johnson,US");
  }

  @Test
  void aMalformedOrderFailsTheJobNamingFileAndOffset() throws Exception {
    Path orders = Files.createDirectories(dir.resolve("orders"));
    Path customers = Files.createDirectories(dir.resolve("customers"));
    Files.writeString(customers.resolve("c.csv"), "c1,Ada,UK\n");
    String good = "o1,c1,10.00\n";
    Files.writeString(orders.resolve("o.csv"), good + "o2,c1,ten\n");
    assertThatThrownBy(() -> Drivers.run(Join.job(orders.toString(), customers.toString(),
        dir.resolve("out").toString())))
        .isInstanceOf(ExampleFailedException.class)
        .hasMessageContaining(orders.resolve("o.csv") + " at byte " + good.length())
        .hasMessageContaining("'ten' is not a decimal number");
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> Join.main(new String[] {"orders", "out"}))
        .hasMessage("usage: join ORDERS CUSTOMERS OUT");
    assertThatThrownBy(() -> Join.job("data", "data/customers", "out"))
        .hasMessageContaining("must be separate paths");
  }

  /** Customers and orders in several files, with headers, blank lines, CRLF and odd ids. */
  private static void writeRandomTables(Path orders, Path customers, SplittableRandom rnd)
      throws IOException {
    Files.createDirectories(orders);
    Files.createDirectories(customers);
    int nCustomers = 400;
    String[] countries = {"UK", "FR", "DE", "JP", "BR", "ZA"};
    StringBuilder c = new StringBuilder("customer_id, name, country\n");
    for (int i = 0; i < nCustomers; i++) {
      c.append(customerId(i)).append(", Name ").append(i).append(i % 7 == 0 ? " Ørsted" : "")
          .append(",").append(countries[rnd.nextInt(countries.length)])
          .append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
      if (rnd.nextInt(30) == 0) {
        c.append("\n");
      }
    }
    Files.writeString(customers.resolve("customers.csv"), c, StandardCharsets.UTF_8);
    int nOrders = 6000;
    for (int f = 0; f < 3; f++) {
      StringBuilder o = new StringBuilder(f == 0 ? "order_id,customer_id,amount\n" : "");
      for (int i = f; i < nOrders; i += 3) {
        // Ids 400..409 have no customer row; customers 390..399 get no orders.
        int cust = rnd.nextInt(50) == 0 ? nCustomers + rnd.nextInt(10) : rnd.nextInt(390);
        o.append("o").append(i).append(",").append(customerId(cust)).append(",")
            .append(rnd.nextInt(100_000) / 100).append(".").append(rnd.nextInt(10))
            .append(rnd.nextInt(10)).append(rnd.nextInt(6) == 0 ? "\r\n" : "\n");
      }
      Files.writeString(orders.resolve("orders-" + f + ".csv"), o, StandardCharsets.UTF_8);
    }
  }

  /** Short, long, prefix-sharing and non-ASCII ids, so byte order and grouping are tested. */
  private static String customerId(int i) {
    return switch (i % 4) {
      case 0 -> "c" + i;
      case 1 -> "c" + i + "x";
      case 2 -> "ć" + i;
      default -> "客" + i;
    };
  }

  private record Expected(List<String> lines, long orphans, long lonelyCustomers) {}

  /** A hash join in plain Java, with its own CSV reading. */
  private static Expected plainJoin(Path orders, Path customers) throws IOException {
    Map<String, String[]> byId = new HashMap<>();
    for (String line : allLines(customers)) {
      String[] f = Arrays.stream(line.split(",")).map(String::strip).toArray(String[]::new);
      if (!f[0].equals("customer_id")) {
        byId.put(f[0], f);
      }
    }
    List<String> joined = new ArrayList<>();
    Set<String> withOrders = new HashSet<>();
    long orphans = 0;
    for (String line : allLines(orders)) {
      String[] f = Arrays.stream(line.split(",")).map(String::strip).toArray(String[]::new);
      if (f[0].equals("order_id")) {
        continue;
      }
      String[] cust = byId.get(f[1]);
      if (cust == null) {
        orphans++;
      } else {
        withOrders.add(f[1]);
        joined.add(String.join(",", f[0], f[1], f[2], cust[1], cust[2]));
      }
    }
    return new Expected(joined, orphans, byId.size() - withOrders.size());
  }

  private static List<String> allLines(Path dir) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!l.isBlank()) {
            lines.add(l);
          }
        }
      }
    }
    return lines;
  }

  private static List<Path> parts(Path out) throws IOException {
    assertThat(out.resolve("_SUCCESS")).exists();
    try (Stream<Path> s = Files.list(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList();
    }
  }

  private static List<String> outputLines(Path out) throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path p : parts(out)) {
      lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
    }
    return lines;
  }

  /** Each customer's orders sit in one part file, and the parts run in customer id order. */
  private static void assertCustomerOrderWithinParts(Path out) throws IOException {
    Set<String> seen = new HashSet<>();
    for (Path part : parts(out)) {
      String current = null;
      for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
        String id = line.split(",")[1];
        if (!id.equals(current)) {
          if (current != null) {
            assertThat(Arrays.compareUnsigned(current.getBytes(StandardCharsets.UTF_8),
                id.getBytes(StandardCharsets.UTF_8))).as("order in %s at %s", part, id)
                .isNegative();
          }
          assertThat(seen.add(id)).as("customer %s in two places", id).isTrue();
          current = id;
        }
      }
    }
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream().sorted().toList();
  }
}
