package dev.quern.examples.join;

import dev.quern.api.Context;
import dev.quern.api.Reducer;

/**
 * Joins one customer with its orders. The values arrive customer row first (see {@link JoinKey}),
 * so each order is written as soon as it is read: key {@code orderId}, value {@code
 * customerId,amount,name,country}, which the job's comma separator turns into the line {@code
 * o12,c7,19.90,Ada,UK}.
 *
 * <p>An order whose customer id has no customer row is dropped (an inner join) and counted in
 * {@value Join#COUNTERS}/{@value Join#ORDERS_WITHOUT_CUSTOMER}. Two customer rows with one id
 * fail the task: which one to join would be a guess.
 */
public class JoinReducer implements Reducer<JoinKey, JoinRow, String, String> {
  @Override
  public void reduce(JoinKey key, Iterable<JoinRow> rows, Context<String, String> context) {
    JoinRow customer = null;
    long orders = 0;
    long orphans = 0;
    for (JoinRow row : rows) {
      if (row.isCustomer()) {
        if (customer != null || orders + orphans > 0) {
          throw new IllegalArgumentException("customer id '" + key.customerId()
              + "' has more than one row in the customers input (" + context.attemptId() + ")");
        }
        customer = row;
      } else if (customer == null) {
        orphans++;
      } else {
        context.emit(row.first(), key.customerId() + "," + row.second() + "," + customer.first()
            + "," + customer.second());
        orders++;
      }
    }
    context.counter(Join.COUNTERS, Join.ORDERS_JOINED).increment(orders);
    if (orphans > 0) {
      context.counter(Join.COUNTERS, Join.ORDERS_WITHOUT_CUSTOMER).increment(orphans);
    }
    if (customer != null && orders == 0) {
      context.counter(Join.COUNTERS, Join.CUSTOMERS_WITHOUT_ORDERS).increment(1);
    }
  }
}
