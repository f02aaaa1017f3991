package dev.quern.examples.join;

import dev.quern.api.Job;
import dev.quern.api.JobStatus;
import dev.quern.api.io.TextOutputFormat;
import dev.quern.examples.Drivers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A reduce-side join with secondary sort: {@code join ORDERS CUSTOMERS OUT} reads orders ({@code
 * order_id,customer_id,amount}) and customers ({@code customer_id,name,country}) as CSV and
 * writes one line per order with its customer: {@code order_id,customer_id,amount,name,country}.
 *
 * <p>The map output key is ({@code customer_id}, tag) with the customer's tag sorting first
 * ({@link JoinKey}, {@link JoinKeyOrder}); {@link CustomerPartitioner} and {@link
 * CustomerGrouping} look at the id only, so each reduce call gets the customer's row, then its
 * orders, and holds one row in memory however many orders a customer has. {@link
 * TableInputFormat} tells the tables apart by the path each file is under.
 *
 * <p>Orders of unknown customers are dropped and counted ({@value #COUNTERS}/{@value
 * #ORDERS_WITHOUT_CUSTOMER}); the driver prints the counts. Within a part file, lines are in
 * customer id order; a customer's orders come in no particular order.
 */
public final class Join {
  /** The counter group of the join's own counters. */
  public static final String COUNTERS = "join";

  public static final String ORDERS_JOINED = "orders-joined";
  public static final String ORDERS_WITHOUT_CUSTOMER = "orders-without-customer";
  public static final String CUSTOMERS_WITHOUT_ORDERS = "customers-without-orders";

  static final String USAGE = "join ORDERS CUSTOMERS OUT";

  private Join() {}

  public static void main(String[] args) throws Exception {
    String orders;
    String customers;
    String output;
    if (args.length == 0) {
      JoinSample.Paths sample = JoinSample.prepare(Files.createTempDirectory("quern-join-"));
      orders = sample.orders();
      customers = sample.customers();
      output = sample.output();
      System.out.println("join: no arguments, so running on the built-in sample: join " + orders
          + " " + customers + " " + output);
    } else if (args.length == 3) {
      orders = args[0];
      customers = args[1];
      output = args[2];
    } else {
      throw new IllegalArgumentException("usage: " + USAGE);
    }
    JobStatus status = Drivers.run(job(orders, customers, output));
    System.out.println("join: " + status.counters().get(COUNTERS, ORDERS_JOINED)
        + " orders joined, " + status.counters().get(COUNTERS, ORDERS_WITHOUT_CUSTOMER)
        + " orders of unknown customers dropped, "
        + status.counters().get(COUNTERS, CUSTOMERS_WITHOUT_ORDERS)
        + " customers without orders");
    System.out.println("join: output in " + output);
  }

  public static Job job(String orders, String customers, String output) {
    return job(orders, customers, output, Map.of());
  }

  /** The join job; {@code extra} adds configuration (e.g. a split size). */
  public static Job job(String orders, String customers, String output,
      Map<String, String> extra) {
    Path o = Path.of(orders).toAbsolutePath().normalize();
    Path c = Path.of(customers).toAbsolutePath().normalize();
    if (o.startsWith(c) || c.startsWith(o)) {
      throw new IllegalArgumentException("join: ORDERS (" + orders + ") and CUSTOMERS ("
          + customers + ") must be separate paths, neither inside the other");
    }
    return Job.builder("join")
        .input(orders, customers)
        .output(output)
        .inputFormat(TableInputFormat.class)
        .mapper(JoinMapper.class)
        .reducer(JoinReducer.class)
        .partitioner(CustomerPartitioner.class)
        .sortComparator(JoinKeyOrder.class)
        .groupingComparator(CustomerGrouping.class)
        .mapOutput(JoinKey.class, JoinRow.class)
        .output(String.class, String.class)
        .reduceTasks(2)
        .set(TableInputFormat.ORDERS, orders)
        .set(TableInputFormat.CUSTOMERS, customers)
        .set(TextOutputFormat.SEPARATOR, ",")
        .configure(extra)
        .build();
  }
}
